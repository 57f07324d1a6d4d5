function Test-JCRootDN {
    <#
    .SYNOPSIS
        Checks a Root User DN in the form the JumpCloud AD Integration expects.
    .DESCRIPTION
        The JumpCloud AD Integration names its root user container with semicolons between the
        components and upper-case attribute types, for example CN=Users;DC=example;DC=com or
        OU=Corporate Users;DC=example;DC=com. Test-JCRootDN checks that form offline (separators,
        attribute types, ASCII only, no empty components, no escapes) and returns one
        JumpCloudADI.RootDNResult object for each DN: IsValid, the LDAP form of the DN (LdapDN,
        with commas), the domain part, whether it lies under -Domain, and a list of Problems.
        A malformed DN is reported in the result (IsValid is False), not as an error.

        With -Server and -Credential the cmdlet also connects to that domain controller over LDAPS
        and reports in Exists whether the container is there.
    .PARAMETER RootUserDN
        The Root User DN to check, in the ADI form (semicolons between components). Accepts
        pipeline input, by value or from a RootUserDN property.
    .PARAMETER Domain
        The ADI domain the container must lie under, in the same form (for example
        DC=example;DC=com). UnderDomain in the result says whether it does.
    .PARAMETER Server
        A domain controller (host name or IP address) to check that the container exists.
        Requires -Credential.
    .PARAMETER Port
        The LDAPS port of the domain controller. Default: 636.
    .PARAMETER Credential
        The account that binds to the domain controller, for example jcsync@example.com.
        The user name is sent as given.
    .PARAMETER CertificateAuthorityFile
        A PEM file with the certificate authority that signed the domain controller's certificate,
        when the system does not already trust it.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .EXAMPLE
        Test-JCRootDN -RootUserDN 'OU=Corporate Users;DC=example;DC=com'

        Checks the form of the DN without contacting any server.
    .EXAMPLE
        'CN=Users;DC=example;DC=com', 'OU=Sales;DC=example;DC=com' | Test-JCRootDN -Domain 'DC=example;DC=com'

        Checks two DNs and whether they lie under the domain DC=example;DC=com.
    .EXAMPLE
        $cred = Get-Credential 'jcsync@example.com'
        Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $cred -CertificateAuthorityFile .\ca.pem

        Also asks the domain controller dc1.example.com whether the container exists.
    .EXAMPLE
        Test-JCRootDN 'ou=sales,dc=example,dc=com' | Select-Object -ExpandProperty Problems

        Lists what is wrong with a DN written in the LDAP form instead of the ADI form.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.RootDNResult
        An object with RootUserDN, IsValid, LdapDN, Domain, UnderDomain, Exists and Problems.
    .LINK
        Test-JCDomainController
    #>
    [CmdletBinding(DefaultParameterSetName = 'Offline')]
    [OutputType('JumpCloudADI.RootDNResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [Parameter(Mandatory = $true, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateRange(1, 65535)]
        [int] $Port,

        [Parameter(Mandatory = $true, ParameterSetName = 'Server')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10
    )

    begin {
        $serverBlock = $null
        if ($PSCmdlet.ParameterSetName -eq 'Server') {
            $serverBlock = NewJCDcBlock -BoundParameters $PSBoundParameters -Mode 'ldaps' -Cmdlet $PSCmdlet
        }
    }

    process {
        $engineParams = [ordered]@{
            rootUserDN = $RootUserDN
        }
        if ($PSBoundParameters.ContainsKey('Domain')) {
            $engineParams['domain'] = $Domain
        }
        if ($null -ne $serverBlock) {
            $engineParams['server'] = $serverBlock
        }
        InvokeJCEngine -Command 'test-rootdn' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
