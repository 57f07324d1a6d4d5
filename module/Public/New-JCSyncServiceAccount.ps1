function New-JCSyncServiceAccount {
    <#
    .SYNOPSIS
        Creates the AD service account the sync agent binds with (JumpCloud Sync, jcsync, password never expires).
    .DESCRIPTION
        Creates a standard user account as the product guide describes: First Name JumpCloud,
        Last Name Sync (display name and cn "JumpCloud Sync"), logon name jcsync (user principal
        name jcsync@<domain>), the given password, and "password never expires"
        (DONT_EXPIRE_PASSWD). The account is created disabled, gets its password, and is then
        enabled; if AD refuses the password (error AD.ConstraintViolation: length, complexity) the
        half-made account is removed again.

        Refused before anything is written: the logon name "JumpCloud" (the product forbids it),
        a logon name or user principal name already used in the domain (ServiceAccount.Exists), a
        container that does not exist. Next step: Grant-JCSyncDelegation.

        With -WhatIf the engine checks the container and the name and nothing is created. The
        password is handed to the engine on its standard input only; it never appears on a command
        line, in an environment variable, in a log or in any output.
    .PARAMETER Path
        The container to create the account in, in the ADI form (CN=Users;DC=example;DC=com) or
        the LDAP form (CN=Users,DC=example,DC=com).
    .PARAMETER Password
        The account's password, as a SecureString. It must meet the domain password policy.
    .PARAMETER SamAccountName
        The logon name: at most 20 characters, not "JumpCloud". Default: jcsync.
    .PARAMETER GivenName
        First name. Default: JumpCloud.
    .PARAMETER Surname
        Last name. Default: Sync.
    .PARAMETER UserPrincipalName
        The user principal name. Default: <SamAccountName>@<DNS name of the domain>.
    .PARAMETER Description
        The account's description. Default: JumpCloud AD sync agent service account.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        An account allowed to create users in the container (for example a Domain Admin).
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default) or StartTls: setting a password needs an encrypted connection. Ldap is
        refused unless -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk are both given, and the
        domain controller refuses the password over it anyway.
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        $password = Read-Host -AsSecureString -Prompt 'Password for jcsync'
        New-JCSyncServiceAccount -Path 'CN=Users;DC=example;DC=com' -Password $password -Server dc1.example.com -Credential (Get-Credential 'Administrator@example.com')

        Creates CN=JumpCloud Sync,CN=Users,DC=example,DC=com with logon name jcsync.
    .EXAMPLE
        New-JCSyncServiceAccount -Path 'OU=Service Accounts,DC=example,DC=com' -SamAccountName jcsync-eu -Password $password -Server dc1 -Credential $admin -WhatIf

        Checks that the container exists and that jcsync-eu is free, and creates nothing.
    .OUTPUTS
        JumpCloudADI.ServiceAccount
        SamAccountName, UserPrincipalName, DistinguishedName, GivenName, Surname, DisplayName,
        Enabled, PasswordNeverExpires, Created. Nothing with -WhatIf.
    .LINK
        Grant-JCSyncDelegation
    .LINK
        Reset-JCSyncServiceAccountPassword
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.ServiceAccount')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $Password,

        [ValidateLength(1, 20)]
        [string] $SamAccountName = 'jcsync',

        [ValidateNotNullOrEmpty()]
        [string] $GivenName = 'JumpCloud',

        [ValidateNotNullOrEmpty()]
        [string] $Surname = 'Sync',

        [ValidateNotNullOrEmpty()]
        [string] $UserPrincipalName,

        [string] $Description = 'JumpCloud AD sync agent service account',

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

    if ($SamAccountName -eq 'JumpCloud') {
        $record = NewJCErrorRecord -ErrorId 'ServiceAccount.NameNotAllowed' -Message 'The logon name of the sync service account cannot be "JumpCloud" (product rule); the guide uses jcsync.' -Category InvalidArgument -TargetObject $SamAccountName -ExceptionType 'System.ArgumentException'
        $PSCmdlet.ThrowTerminatingError($record)
    }
    $engineParams = [ordered]@{
        dc             = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        container      = $Path
        samAccountName = $SamAccountName
        givenName      = $GivenName
        surname        = $Surname
        description    = $Description
        password       = $Password
    }
    if ($PSBoundParameters.ContainsKey('UserPrincipalName')) {
        $engineParams['userPrincipalName'] = $UserPrincipalName
    }

    $target = '{0} {1} ({2}) in {3} on {4}' -f $GivenName, $Surname, $SamAccountName, $Path, $Server
    if ($WhatIfPreference) {
        [void]$PSCmdlet.ShouldProcess($target, 'Create the sync service account')
        # The engine checks the container and the name, and writes nothing.
        $engineParams['whatIf'] = $true
        $null = InvokeJCEngine -Command 'service-account-create' -Parameters $engineParams -Cmdlet $PSCmdlet
        return
    }
    if (-not $PSCmdlet.ShouldProcess($target, 'Create the sync service account')) {
        return
    }
    $engineParams['whatIf'] = $false
    InvokeJCEngine -Command 'service-account-create' -Parameters $engineParams -Cmdlet $PSCmdlet
}
