function Test-JCSyncPrerequisite {
    <#
    .SYNOPSIS
        Runs the product guide's prerequisite checklist and returns one result per item: Pass, Warn or Fail, with the remedy.
    .DESCRIPTION
        Checks, in order, and returns one JumpCloudADI.PrerequisiteResult per item:
          Host.OperatingSystem       this machine is 64-bit Windows Server 2012-2022 (Warn where
                                     it cannot tell, for example when run on Linux)
          JumpCloud.Reachable        JumpCloud answers over HTTPS with the API key
          JumpCloud.Domain           the ADI domain exists in JumpCloud and holds the Root User DN
          RootDN.Valid, RootDN.Exists
                                     the Root User DN is in the ADI format and exists in AD
          DC.Ldaps, DC.Bind          LDAPS with a trusted certificate (Warn within 30 days of
                                     expiry), and the bind
          ServiceAccount.*           the account exists and follows the guide's rules (not a
                                     Domain Admin, not protected, not named JumpCloud, not in a
                                     JumpCloud group, password never expires, enabled)
          Delegation.*               each of the five delegated tasks (Test-JCSyncDelegation)
          PasswordPolicy.Alignment   no rule where AD could refuse a JumpCloud password
                                     (Test-JCPasswordPolicyAlignment)
          Users.FirstAndLastName     every user in scope has a first and a last name
          Users.Protected            no user in scope maps to a protected (adminCount=1) account
        An item that cannot run because an earlier one failed (no bind, no API key) is a Warn
        whose detail starts with "Not checked". A failed item does not stop the checklist.

        Nothing is changed. The API key and the password are handed to the engine on its standard
        input only.
    .PARAMETER RootUserDN
        The root user container in the ADI form, for example OU=Corporate Users;DC=example;DC=com.
    .PARAMETER ServiceAccount
        The sync service account to check. Default: jcsync.
    .PARAMETER Domain
        The ADI domain in JumpCloud (DC=example;DC=com or its id). Default: the Root User DN's domain.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key, as a SecureString. Without it the JumpCloud, password policy and
        user items are not checked (Warn).
    .PARAMETER Region
        US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region (for example the sandbox).
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud.
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
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        The account that binds (an administrator sees the most: tokenGroups, PSOs).
    .PARAMETER Port
        TCP port of the bind. Default: 636 for Ldaps, 389 for StartTls and Ldap. The LDAPS item
        always probes LDAPS (this port with Ldaps, 636 otherwise).
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        Test-JCSyncPrerequisite -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $admin -JumpCloudApiKey $apiKey

        The whole checklist, one line per item, grouped by category.
    .EXAMPLE
        Test-JCSyncPrerequisite -RootUserDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential $admin -JumpCloudApiKey $apiKey |
            Where-Object Status -ne 'Pass' |
            Format-List Item, Status, Detail, Remedy

        What is still to be done before installing the agent, with the remedy for each item.
    .OUTPUTS
        JumpCloudADI.PrerequisiteResult
        Item (a stable id such as Delegation.ResetPasswords), Category, Title, Status (Pass, Warn,
        Fail), Detail, Remedy.
    .LINK
        Test-JCSyncDelegation
    .LINK
        Test-JCPasswordPolicyAlignment
    .LINK
        Test-JCDomainController
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.PrerequisiteResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [ValidateNotNullOrEmpty()]
        [string] $ServiceAccount = 'jcsync',

        [ValidateNotNullOrEmpty()]
        [string] $Domain,

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
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(Mandatory = $true)]
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

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10
    )

    $engineParams = [ordered]@{
        dc             = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        rootUserDN     = $RootUserDN
        serviceAccount = $ServiceAccount
    }
    if ($PSBoundParameters.ContainsKey('JumpCloudApiKey')) {
        $engineParams['jumpcloud'] = NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
    }
    elseif ($PSBoundParameters.ContainsKey('JumpCloudUrl') -or $PSBoundParameters.ContainsKey('Region') -or $PSBoundParameters.ContainsKey('OrgId')) {
        Write-Warning -Message 'JumpCloud connection settings were given without -JumpCloudApiKey: the JumpCloud items are not checked.'
    }
    if ($PSBoundParameters.ContainsKey('Domain')) {
        $engineParams['domain'] = $Domain
    }
    InvokeJCEngine -Command 'prerequisites' -Parameters $engineParams -Cmdlet $PSCmdlet
}
