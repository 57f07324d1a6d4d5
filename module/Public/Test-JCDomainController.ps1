function Test-JCDomainController {
    <#
    .SYNOPSIS
        Connects to a domain controller the way the sync agent will, and reports what it finds.
    .DESCRIPTION
        Binds to the domain controller with the given account over LDAPS (default), StartTLS or,
        only when explicitly allowed, plain LDAP, verifying the server's certificate. Returns one
        JumpCloudADI.DomainControllerInfo object: the server's DNS host name, its default naming
        context, whether TLS was verified, and, with -RootUserDN, whether the account can read
        that root user container.

        Failures stop the cmdlet with a stable error id: AD.Unreachable or AD.Timeout (the server
        cannot be reached in time), AD.TlsFailed (the certificate is not trusted or does not match
        the name), AD.BindFailed (wrong user name or password), AD.InsufficientRights. The password
        is handed to the engine on its standard input only; it never appears on a command line, in
        an environment variable or in any output.
    .PARAMETER Server
        Host name or IP address of the domain controller. Accepts pipeline input, by value or from
        a Server, HostName or ComputerName property (for example the output of
        Get-ADDomainController -Filter *).
    .PARAMETER Credential
        The account that binds, for example jcsync@example.com or EXAMPLE\jcsync. The user name is
        sent as given.
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (TLS from the first byte, the default), StartTls (port 389 upgraded to TLS) or Ldap
        (no encryption: refused unless -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk are both
        given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the certificate authority that signed the domain controller's certificate,
        when the system does not already trust it.
    .PARAMETER RootUserDN
        A root user container in the ADI form (for example CN=Users;DC=example;DC=com): the result
        then says whether the account can read it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap. Passwords would cross the network in clear text; use only in an
        isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .EXAMPLE
        Test-JCDomainController -Server dc1.example.com -Credential (Get-Credential 'jcsync@example.com')

        Connects over LDAPS on port 636, verifies the certificate and binds as jcsync.
    .EXAMPLE
        $cred = Get-Credential 'jcsync@example.com'
        Test-JCDomainController -Server 10.0.0.5 -Credential $cred -CertificateAuthorityFile .\corp-ca.pem -RootUserDN 'OU=Corporate Users;DC=example;DC=com'

        Trusts the given CA, and checks that jcsync can read the root user container.
    .EXAMPLE
        foreach ($dc in 'dc1.example.com', 'dc2.example.com') {
            try { Test-JCDomainController -Server $dc -Credential $cred -TimeoutSeconds 5 }
            catch { Write-Warning ('{0}: {1} ({2})' -f $dc, $_.Exception.Message, $_.FullyQualifiedErrorId) }
        }

        Checks several domain controllers in turn. A failure (for example AD.Unreachable) stops the
        cmdlet, so each server gets its own try/catch.
    .EXAMPLE
        Test-JCDomainController -Server dc1.example.com -Credential $cred -LdapMode StartTls

        Connects on port 389 and upgrades the connection with StartTLS.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.DomainControllerInfo
        One object for each domain controller.
    .LINK
        Test-JCRootDN
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.DomainControllerInfo')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10
    )

    process {
        $engineParams = [ordered]@{
            dc = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        }
        if ($PSBoundParameters.ContainsKey('RootUserDN')) {
            $engineParams['rootUserDN'] = $RootUserDN
        }
        InvokeJCEngine -Command 'ad-ping' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
