function Test-JCPasswordPolicyAlignment {
    <#
    .SYNOPSIS
        Lists each password rule where a password JumpCloud accepts could be refused by Active Directory.
    .DESCRIPTION
        Reads the JumpCloud organization's password policy and the AD domain password policy
        (minPwdLength, complexity, pwdHistoryLength, minPwdAge, maxPwdAge on the domain head) and,
        with -RootUserDN, the fine-grained password policies (PSOs) in effect for the users of the
        root container (their msDS-ResultantPSO, or PSOs linked to objects inside it). For each AD
        policy it returns one JumpCloudADI.PasswordPolicyFinding per rule:
          MinimumLength  Mismatch when JumpCloud's minimum is below AD's.
          Complexity     Mismatch when JumpCloud requires fewer than 3 of the 4 character classes
                         AD's complexity demands, or allows the username inside the password;
                         Warning otherwise (AD also refuses parts of the display name).
          History, MinimumAge
                         Aligned: AD does not apply them to the agent's administrator resets.
          MaximumAge     Warning when AD expires passwords before JumpCloud does.
        A Mismatch means a password can be refused by AD when the agent sets it (the product
        guide's "align password complexity" prerequisite); each finding names the setting to
        change in JumpCloud and the one to change in AD.

        Nothing is changed. The API key and the password are handed to the engine on its standard
        input only.
    .PARAMETER RootUserDN
        The root user container in the ADI form; adds the PSOs that apply to its users.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key, as a SecureString.
    .PARAMETER Region
        US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region (for example the sandbox).
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud (the sandbox's CA, a TLS-inspecting proxy's).
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
        An account that can read the domain head (and the Password Settings Container, for PSOs).
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
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
        Test-JCPasswordPolicyAlignment -JumpCloudApiKey $apiKey -Server dc1.example.com -Credential $admin

        One line per rule: Aligned, Warning or Mismatch, with both sides' values.
    .EXAMPLE
        Test-JCPasswordPolicyAlignment -JumpCloudApiKey $apiKey -Server dc1 -Credential $admin -RootUserDN 'OU=Corporate Users;DC=example;DC=com' |
            Where-Object Status -eq 'Mismatch' |
            Format-List AdPolicy, Rule, Detail, ChangeInJumpCloud, ChangeInActiveDirectory

        Only the rules that make AD refuse JumpCloud passwords, with the settings to change.
    .OUTPUTS
        JumpCloudADI.PasswordPolicyFinding
        Rule, AdPolicy (Domain policy or PSO <name>), Status (Aligned, Warning, Mismatch),
        JumpCloud, ActiveDirectory, Detail, ChangeInJumpCloud, ChangeInActiveDirectory.
    .LINK
        Test-JCSyncPrerequisite
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.PasswordPolicyFinding')]
    param(
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

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
        jumpcloud = (NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        dc        = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
    }
    if ($PSBoundParameters.ContainsKey('RootUserDN')) {
        $engineParams['rootUserDN'] = $RootUserDN
    }
    InvokeJCEngine -Command 'policy-alignment' -Parameters $engineParams -Cmdlet $PSCmdlet
}
