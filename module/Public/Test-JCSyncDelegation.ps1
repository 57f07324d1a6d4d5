function Test-JCSyncDelegation {
    <#
    .SYNOPSIS
        Checks that the sync service account holds the five delegated tasks on the root user container.
    .DESCRIPTION
        Reads the permissions (DACL) of the root user container and the service account's groups
        (tokenGroups) and evaluates the account's effective rights on the container and on the
        users and groups created under it (inheritance, object types, deny before allow), for the
        five tasks the product guide delegates with the Delegation of Control Wizard:
          CreateDeleteManageUsers   Create, delete, and manage user accounts
          ResetPasswords            Reset user passwords and force password change at next logon
          ReadUserInformation       Read all user information
          CreateDeleteManageGroups  Create, delete, and manage groups
          ModifyGroupMembership     Modify the membership of a group
        Each task gives one JumpCloudADI.DelegationCheck object with Status Granted or Missing;
        a missing one names the exact right (for example "The Reset Password extended right on
        user objects"), the ACE that grants it, and the command that does: Grant-JCSyncDelegation
        with -Task, or the equivalent dsacls.exe line. A right taken away by a deny ACE says so.

        Then the product guide's rules for the account, one object each (Status Pass, Warn or
        Fail, with a remedy): not a Domain Admin or member of another protected group, not
        protected (adminCount=1), logon name not "JumpCloud", not a member of a "JumpCloud"
        security group, password set to never expire, account enabled.

        Any account that can read the container's permissions can run the check, the service
        account itself included. Nothing is changed. The password is handed to the engine on its
        standard input only.
    .PARAMETER RootUserDN
        The root user container in the ADI form, for example OU=Corporate Users;DC=example;DC=com.
    .PARAMETER ServiceAccount
        The sync service account: its logon name (jcsync), DOMAIN\name, user principal name or
        distinguished name. Default: jcsync.
    .PARAMETER Task
        Checks only these tasks (the account rules are always checked). Default: all five.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        The account that binds (an administrator, or the service account itself).
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap. Passwords would cross the network in clear text.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        Test-JCSyncDelegation -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential (Get-Credential 'Administrator@example.com')

        Shows one line per task (Granted or Missing) and per account rule (Pass, Warn or Fail).
    .EXAMPLE
        Test-JCSyncDelegation -RootUserDN 'CN=Users;DC=example;DC=com' -ServiceAccount 'EXAMPLE\jcsync' -Server dc1 -Credential $cred |
            Where-Object { $_.Status -notin 'Granted', 'Pass' } |
            Format-List Title, Detail, Remedy

        Lists only what is wrong, each with the command that fixes it.
    .EXAMPLE
        (Test-JCSyncDelegation -RootUserDN $root -Server dc1 -Credential $cred -Task ResetPasswords).Missing

        The exact rights the password task lacks: description, rights, the ACE and the dsacls arguments.
    .OUTPUTS
        JumpCloudADI.DelegationCheck
        Kind (Task or Account), Check (the task or rule id), Title, Status (Granted/Missing for a
        task, Pass/Warn/Fail for a rule), Detail, Missing (Right, Rights, DeniedBy, Ace, Dsacls),
        GrantedThrough (the ACEs that granted the task), WizardAcesPresent, Remedy, ServiceAccount,
        RootUserDN.
    .LINK
        Grant-JCSyncDelegation
    .LINK
        New-JCSyncServiceAccount
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.DelegationCheck')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [ValidateNotNullOrEmpty()]
        [string] $ServiceAccount = 'jcsync',

        [ValidateSet('CreateDeleteManageUsers', 'ResetPasswords', 'ReadUserInformation', 'CreateDeleteManageGroups', 'ModifyGroupMembership')]
        [string[]] $Task,

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
    if ($PSBoundParameters.ContainsKey('Task')) {
        $engineParams['tasks'] = @($Task)
    }
    InvokeJCEngine -Command 'delegation-test' -Parameters $engineParams -Cmdlet $PSCmdlet
}
