function Reset-JCSyncServiceAccountPassword {
    <#
    .SYNOPSIS
        Rotates the password of the sync service account in AD and in the installed agent's config, and proves the new one works.
    .DESCRIPTION
        The product guide asks for the service account's password to be rotated periodically.
        This cmdlet sets the new password on the account (an administrator reset over LDAPS or
        StartTLS), then binds as the account with it to prove it works (skip with
        -SkipBindCheck). A password the domain policy refuses fails with AD.ConstraintViolation
        and changes nothing; a bind that fails afterwards fails with ServiceAccount.VerifyFailed.

        An agent installed with this account keeps its own encrypted copy of the password in
        agent.json. With -InstallPath (by default the agent installed in the default folder, if
        there is one) that copy changes together with AD, in this order: the new password is
        written to the config encrypted, next to the current one, as pending; AD gets it; a bind
        proves it; then the config's password is replaced. If AD refuses the password, the
        pending one is removed and nothing changed. The running agent never loses sync: when its
        bind is refused it reads the config again and uses the new password, or the pending one
        (which it then commits itself, should the rotation have stopped halfway). An install
        whose agent binds as another account is refused (ServiceAccount.AgentAccountMismatch).
        Run it on the agent's server, with rights to its install folder.

        The new password is handed to the engine on its standard input only; it never appears on
        a command line, in an environment variable, in a log or in any output.
    .PARAMETER ServiceAccount
        The sync service account: logon name, DOMAIN\name, user principal name or distinguished
        name. Default: jcsync.
    .PARAMETER NewPassword
        The new password, as a SecureString. It must meet the domain password policy.
    .PARAMETER InstallPath
        The install folder of a sync agent that binds as this account: its encrypted config gets
        the new password too. Default: the default install folder (C:\Program Files\JumpCloud\AD
        Integration\ on Windows, /opt/jumpcloudadi elsewhere) when an agent is installed there;
        otherwise only AD is changed.
    .PARAMETER SkipBindCheck
        Does not bind as the account afterwards (for example when the account may not log on
        from here).
    .PARAMETER Server
        Host name or IP address of the domain controller (the PDC emulator is best: password
        changes land there first).
    .PARAMETER Credential
        An account allowed to reset the service account's password (for example a Domain Admin).
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default) or StartTls: a password needs an encrypted connection. Ldap is refused
        unless -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk are both given.
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller. Default: 10.
    .EXAMPLE
        $new = Read-Host -AsSecureString -Prompt 'New password for jcsync'
        Reset-JCSyncServiceAccountPassword -NewPassword $new -Server dc1.example.com -Credential (Get-Credential 'Administrator@example.com')

        Sets the new password of jcsync (in AD, and in the agent installed in the default folder,
        if any) and binds with it; asks for confirmation first.
    .EXAMPLE
        Reset-JCSyncServiceAccountPassword -NewPassword $new -InstallPath 'D:\JumpCloud\AD Integration' -Server dc1.example.com -Credential $admin

        Rotates the password in AD and in the config of the agent installed in D:\JumpCloud\AD Integration.
    .EXAMPLE
        Reset-JCSyncServiceAccountPassword -ServiceAccount 'EXAMPLE\jcsync' -NewPassword $new -Server dc1 -Credential $admin -Confirm:$false -WhatIf

        Shows what would be changed, and changes nothing.
    .OUTPUTS
        JumpCloudADI.ServiceAccountRotation
        ServiceAccount, DistinguishedName, ChangedInAD, Verified (true, or null with
        -SkipBindCheck), UpdatedStores (other places that now hold the new password), ChangedAt.
    .LINK
        New-JCSyncServiceAccount
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('JumpCloudADI.ServiceAccountRotation')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $ServiceAccount = 'jcsync',

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $NewPassword,

        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [switch] $SkipBindCheck,

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

    $agentPath = $null
    if ($PSBoundParameters.ContainsKey('InstallPath')) {
        $agentPath = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
    }
    else {
        $defaultPath = ResolveJCInstallPath -InstallPath '' -Cmdlet $PSCmdlet
        if (Test-Path -LiteralPath (GetJCAgentFiles -InstallPath $defaultPath).Config -PathType Leaf) {
            $agentPath = $defaultPath
        }
    }
    $target = '{0} on {1}' -f $ServiceAccount, $Server
    if ($null -ne $agentPath) {
        $target = '{0} on {1} and in the agent config in {2}' -f $ServiceAccount, $Server, $agentPath
    }
    if (-not $PSCmdlet.ShouldProcess($target, 'Set a new password for the sync service account')) {
        return
    }
    $engineParams = [ordered]@{
        dc             = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        serviceAccount = $ServiceAccount
        newPassword    = $NewPassword
        verifyBind     = -not $SkipBindCheck
    }
    if ($null -ne $agentPath) {
        $engineParams['installPath'] = $agentPath
    }
    InvokeJCEngine -Command 'service-account-rotate' -Parameters $engineParams -Cmdlet $PSCmdlet
}
