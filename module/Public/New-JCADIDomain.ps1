function New-JCADIDomain {
    <#
    .SYNOPSIS
        Registers an Active Directory domain in JumpCloud (an ADI domain) for the sync agent.
    .DESCRIPTION
        Creates the ADI domain instance in JumpCloud, as "Directory Integrations > Active Directory
        > Add ADI Domain" does in the Admin Portal, with the use case "Manage users, groups and
        passwords in JumpCloud" (JCASAUTHORITY) unless another is given.

        The domain is written in the ADI form: DC components only, capital DC, separated by
        semicolons, no spaces (DC=example;DC=com). A malformed name is refused with
        ADIDomain.Invalid naming the problem; a domain that already exists (also in another case)
        is refused with ADIDomain.Exists. Several ADI domains can live in one organization, each
        with its own agents.

        The API key is handed to the engine on its standard input only.
    .PARAMETER Domain
        The domain in the ADI form, for example DC=example;DC=com.
    .PARAMETER UseCase
        JCASAUTHORITY (manage users, groups and passwords in JumpCloud: the default), TWOWAYSYNC
        or ADASAUTHORITY.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key of the administrator account dedicated to the integration, as a
        SecureString (for example from Read-Host -AsSecureString).
    .PARAMETER Region
        The JumpCloud region: US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region, for example the local
        sandbox (https://127.0.0.1:8443). Must be https://.
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud (the sandbox's CA). The certificate is
        always verified.
    .PARAMETER JumpCloudTimeoutSeconds
        How long to wait for each JumpCloud request. Default: 30.
    .PARAMETER Proxy
        An HTTP proxy for every JumpCloud call, as http://host:port (for example
        http://proxy.corp:3128). HTTPS goes through a CONNECT tunnel: TLS to JumpCloud stays end to
        end and verified. Environment uses HTTPS_PROXY and NO_PROXY of this session instead. Without
        -Proxy, JumpCloud is reached directly (environment variables are not read).
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication). The password is handed to the
        engine on its standard input only.
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        New-JCADIDomain -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey

        Registers example.com with the "manage in JumpCloud" use case and returns the new domain.
    .EXAMPLE
        New-JCADIDomain -Domain 'DC=corp;DC=example;DC=com' -JumpCloudApiKey $apiKey -Region EU -WhatIf

        Shows what would be registered in the EU region, and registers nothing.
    .OUTPUTS
        JumpCloudADI.ADIDomain
        Id, Domain, UseCase, PrimaryAgent, AgentCount, ActiveAgents, Agents and UpdatedAt.
    .LINK
        Get-JCADIDomain
    .LINK
        New-JCSyncConnectKey
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.ADIDomain')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [ValidateSet('JCASAUTHORITY', 'TWOWAYSYNC', 'ADASAUTHORITY')]
        [string] $UseCase = 'JCASAUTHORITY',

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $JumpCloudApiKey,

        [ValidateSet('US', 'EU', 'IN')]
        [string] $Region,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudUrl,

        [ValidatePattern('^[0-9a-fA-F]{24}$')]
        [string] $OrgId,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudCertificateAuthorityFile,

        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds = 30,

        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty
    )

    $engineParams = [ordered]@{
        jumpcloud = (NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        domain    = $Domain
        useCase   = $UseCase.ToUpperInvariant()
    }
    if ($PSCmdlet.ShouldProcess($Domain, ('Register the ADI domain in JumpCloud (use case {0})' -f $UseCase.ToUpperInvariant()))) {
        InvokeJCEngine -Command 'adi-domain-new' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
