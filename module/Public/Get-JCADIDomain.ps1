function Get-JCADIDomain {
    <#
    .SYNOPSIS
        Lists the ADI domains of the JumpCloud organization, with their sync agents.
    .DESCRIPTION
        Returns one JumpCloudADI.ADIDomain object per Active Directory domain registered in
        JumpCloud: its id, name (DC=example;DC=com), use case, primary agent and agents (id,
        type, host name, state: active, inactive or unsealed, last contact, version). With
        -Domain, only that domain (by ADI name, case as registered, or by id); an unknown name is
        the error JumpCloud.DomainNotFound.

        The API key is handed to the engine on its standard input only.
    .PARAMETER Domain
        One domain to show: its ADI name (DC=example;DC=com) or its JumpCloud id.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key, as a SecureString.
    .PARAMETER Region
        The JumpCloud region: US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region (the local sandbox). Must be https://.
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud. The certificate is always verified.
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
        Get-JCADIDomain -JumpCloudApiKey $apiKey

        Lists every ADI domain with its agent counts.
    .EXAMPLE
        (Get-JCADIDomain -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey).Agents | Format-Table

        Shows the agents of one domain as JumpCloud sees them.
    .OUTPUTS
        JumpCloudADI.ADIDomain
    .LINK
        New-JCADIDomain
    .LINK
        Get-JCSyncAgent
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.ADIDomain')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

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
    }
    if ($PSBoundParameters.ContainsKey('Domain')) {
        $engineParams['domain'] = $Domain
    }
    InvokeJCEngine -Command 'adi-domain-list' -Parameters $engineParams -Cmdlet $PSCmdlet
}
