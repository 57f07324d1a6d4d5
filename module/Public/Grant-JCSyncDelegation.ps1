function Grant-JCSyncDelegation {
    <#
    .SYNOPSIS
        Delegates the five sync tasks on the root user container to the service account, like the Delegation of Control Wizard.
    .DESCRIPTION
        Adds to the permissions (DACL) of the root user container exactly the ACEs the ADUC
        Delegation of Control Wizard adds for the tasks the product guide selects (8 ACEs for the
        five tasks; -Task picks some):
          CreateDeleteManageUsers   (OA;CI;CCDC;user;;S) (OA;CIIO;GA;;user;S)
          ResetPasswords            (OA;CIIO;CR;Reset Password;user;S) (OA;CIIO;RPWP;pwdLastSet;user;S)
          ReadUserInformation       (OA;CIIO;RP;;user;S)
          CreateDeleteManageGroups  (OA;CI;CCDC;group;;S) (OA;CIIO;GA;;group;S)
          ModifyGroupMembership     (OA;CIIO;RPWP;member;group;S)
        It is idempotent: ACEs already on the container are not added again. The new ACEs go after
        the container's explicit ACEs and before the inherited ones (canonical order); the rest of
        the DACL, the owner and the SACL are left as they are. After writing it reads the DACL back
        and fails with Delegation.NotApplied if an ACE is not there.
        When the root container holds the sync's anchor key (CN=jcsync-anchor-key, made by the first
        Invoke-JCSync or agent), the service account is given full control of that object and any
        other non-administrator account loses it (the key has one service account).

        With -WhatIf it writes nothing and prints one "What if:" line per ACE it would add (ACEs
        already present are listed with -Verbose). Returns one JumpCloudADI.DelegationChange object
        per ACE of the chosen tasks, Added or AlreadyPresent.

        The bind account needs the right to change the container's permissions (for example a
        Domain Admin). The password is handed to the engine on its standard input only.
    .PARAMETER RootUserDN
        The root user container in the ADI form, for example OU=Corporate Users;DC=example;DC=com.
    .PARAMETER ServiceAccount
        The sync service account: logon name, DOMAIN\name, user principal name or distinguished
        name. Default: jcsync.
    .PARAMETER Task
        Grants only these tasks. Default: all five.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        An account allowed to change the container's permissions.
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap. Passwords would cross the network in clear text.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        Grant-JCSyncDelegation -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $admin -WhatIf

        Lists the ACEs that would be added for jcsync, and changes nothing.
    .EXAMPLE
        Grant-JCSyncDelegation -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -ServiceAccount jcsync -Server dc1.example.com -Credential $admin
        Test-JCSyncDelegation -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $admin

        Delegates the five tasks, then checks that every task is Granted.
    .EXAMPLE
        Grant-JCSyncDelegation -RootUserDN $root -Server dc1 -Credential $admin -Task ResetPasswords -Confirm:$false

        Adds only the ACEs of the password task (the remedy Test-JCSyncDelegation names when it is missing).
    .OUTPUTS
        JumpCloudADI.DelegationChange
        Task, Title, Ace (SDDL with the account's SID), Action (Added or AlreadyPresent),
        ServiceAccount, RootUserDN. Nothing with -WhatIf.
    .LINK
        Test-JCSyncDelegation
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.DelegationChange')]
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
    $taskText = 'the five Delegate Control tasks'
    if ($PSBoundParameters.ContainsKey('Task')) {
        $engineParams['tasks'] = @($Task)
        $taskText = 'the tasks {0}' -f (@($Task) -join ', ')
    }

    if ($WhatIfPreference) {
        # The engine lists the ACEs without writing; each one becomes a "What if:" line.
        $engineParams['whatIf'] = $true
        $wouldAdd = 0
        InvokeJCEngine -Command 'delegation-grant' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
            if ($_.Action -eq 'WouldAdd') {
                $wouldAdd++
                [void]$PSCmdlet.ShouldProcess($RootUserDN, ('Add the ACE {0} ({1}) for {2}' -f $_.Ace, $_.Title, $ServiceAccount))
            }
            else {
                Write-Verbose -Message ('Already present: {0} ({1})' -f $_.Ace, $_.Title)
            }
        }
        if ($wouldAdd -eq 0) {
            Write-Verbose -Message ('Nothing to add: {0} already holds {1} on {2}.' -f $ServiceAccount, $taskText, $RootUserDN)
        }
        return
    }

    if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $RootUserDN, $Server), ('Grant {0} to {1}' -f $taskText, $ServiceAccount))) {
        return
    }
    $engineParams['whatIf'] = $false
    InvokeJCEngine -Command 'delegation-grant' -Parameters $engineParams -Cmdlet $PSCmdlet
}
