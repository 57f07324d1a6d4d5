function Invoke-JCSync {
    <#
    .SYNOPSIS
        Makes Active Directory match JumpCloud for one ADI domain: users, security groups, membership.
    .DESCRIPTION
        Reads the users and user groups bound to the ADI domain in JumpCloud (directly or through a
        bound group) and the objects under the root user container in AD, plans the changes, and
        applies them to the domain controller: creates and updates users (first name, last name,
        username, e-mail, state), renames an account when its username changes, disables users
        that are suspended or no longer in scope (users are never deleted), and mirrors every bound
        user group as a global security group with the same members (a group no longer bound is
        emptied of the members the sync manages and kept, never deleted: Remove-JCSyncGroup
        deletes one explicitly). New users get a strong random
        password that is never shown or logged: the JumpCloud API this cmdlet reads carries no
        passwords; users' own passwords reach AD through the sync agent.

        Accounts with adminCount=1, users without a first or last name, usernames AD cannot hold
        and AD objects the sync did not create are skipped with a warning that gives the reason
        (an existing object is taken over only with -AdoptExisting). A failure on one object is
        written as a non-terminating error and the run goes on. A run that would disable or delete
        more objects than the safety threshold (-MaxDisableCount, -MaxDisablePercent) is refused
        with the error Sync.ThresholdExceeded unless -Force is given.

        With -WhatIf nothing is written: the cmdlet plans (as Get-JCSyncPlan does) and prints one
        "What if:" line per planned operation, and a warning per skipped object. With -Confirm it
        asks once before the run; declining does nothing. Otherwise it returns one
        JumpCloudADI.SyncResult object with the counts.

        The API key and the password are handed to the engine on its standard input only; they
        never appear on a command line, in an environment variable, in a log or in any output.
        The connection settings are given as parameters (parameter set Parameters).
    .PARAMETER Domain
        The ADI domain in JumpCloud: its name in the ADI form (for example DC=example;DC=com) or
        its JumpCloud id.
    .PARAMETER RootUserDN
        The root user container in the ADI form (for example OU=Corporate Users;DC=example;DC=com).
        The sync manages objects under it only. It must lie under the ADI domain.
    .PARAMETER Server
        Host name or IP address of the domain controller to write to (the PDC emulator is best:
        passwords and new accounts land there first).
    .PARAMETER Credential
        The sync service account, for example jcsync@example.com, with the delegated rights on the
        root user container. The user name is sent as given.
    .PARAMETER Port
        TCP port of the domain controller. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (no encryption: refused unless -AllowInsecureLdap
        and -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap. User data would cross the network in clear text; use only in an
        isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key of the administrator account dedicated to the integration, as a
        SecureString (for example from Read-Host -AsSecureString).
    .PARAMETER Region
        The JumpCloud region: US (console.jumpcloud.com, the default), EU
        (console.eu.jumpcloud.com) or IN (India, console.in.jumpcloud.com). Cannot be combined
        with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region, for example the local
        sandbox (https://127.0.0.1:8443). Must be https://. Cannot be combined with -Region.
    .PARAMETER OrgId
        The JumpCloud organization id (24 hexadecimal characters), for administrators of several
        organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud (the sandbox's CA, or a TLS-inspecting
        proxy's). The certificate is always verified.
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
    .PARAMETER User
        Syncs only this JumpCloud user (username or id): provisions one user on demand, with its
        group memberships. The user must be in scope of the ADI domain (error Sync.UserNotInScope
        otherwise). Accepts pipeline input: one run per user.
    .PARAMETER AdoptExisting
        Takes over AD objects the sync did not create whose name matches a JumpCloud user or group
        (they are anchored and updated). Without it such objects are reported and left alone.
    .PARAMETER Force
        Runs even when the plan exceeds the safety threshold. Does not suppress -Confirm.
    .PARAMETER AnchorKey
        An anchor key you keep yourself (New-JCSyncAnchorKey), as a SecureString, instead of the
        one the sync keeps in the root container (CN=jcsync-anchor-key, readable only by the sync's
        account and the administrators; made by the first Invoke-JCSync). Either way an anchor
        counts only when its proof (a keyed MAC of the object's objectGUID and JumpCloud id) is
        valid: an anchor without one is reported (UntrustedAnchor) and the object is left alone;
        every anchor written gets a proof. With -AdoptExisting, objects whose anchor has no valid
        proof are adopted by name: how an install from before the key is sealed. The key goes
        to the engine on its standard input only.
    .PARAMETER MaxDisableCount
        The safety threshold: the largest number of users disabled or groups unbound in one run.
        Default: 500.
    .PARAMETER MaxDisablePercent
        The safety threshold as a share of the managed objects (applies from 20 managed objects
        on). Default: 25.
    .PARAMETER JournalPath
        The file where the run journals each applied operation (a rerun after a crash converges
        from it). Default: journal.jsonl in the engine's state folder (%ProgramData%\JumpCloudADI
        on Windows, ~/.local/state/jumpcloudadi elsewhere).
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        $cred = Get-Credential 'jcsync@example.com'
        Invoke-JCSync -Domain 'DC=example;DC=com' -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $cred -JumpCloudApiKey $apiKey -WhatIf

        Shows, as "What if:" lines, every change the sync would make, and writes nothing.
    .EXAMPLE
        $splatSync = @{
            Domain                   = 'DC=example;DC=com'
            RootUserDN               = 'OU=Corporate Users;DC=example;DC=com'
            Server                   = 'dc1.example.com'
            Credential               = $cred
            CertificateAuthorityFile = 'C:\PKI\corp-ca.pem'
            JumpCloudApiKey          = $apiKey
        }
        Invoke-JCSync @splatSync

        Runs the sync and returns the summary (planned, applied, failed, skipped, duration).
    .EXAMPLE
        Invoke-JCSync @splatSync -User 'ann.lee'

        Provisions one user now (and her group memberships) instead of the whole domain.
    .EXAMPLE
        Invoke-JCSync @splatSync -MaxDisableCount 20 -MaxDisablePercent 5
        Invoke-JCSync @splatSync -Force -Confirm

        The first run is refused with Sync.ThresholdExceeded when it would disable more than 20
        users (or 5 %); after checking the plan, the second run passes the threshold and asks once
        before it writes.
    .EXAMPLE
        $apiKey = ConvertTo-SecureString (Get-Content -Raw ./sandbox/apikey.secret).Trim() -AsPlainText -Force
        Invoke-JCSync -Domain 'DC=example;DC=com' -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server 127.0.0.1 -Credential $cred -CertificateAuthorityFile ./build/testdc/tls/ca.pem -JumpCloudUrl 'https://127.0.0.1:8443' -JumpCloudCertificateAuthorityFile ./sandbox/tls/ca.pem -JumpCloudApiKey $apiKey

        Rehearses a sync against the local JumpCloud sandbox (jcadi-engine sandbox), trusting its CA.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.SyncResult
        Domain, RootUserDN, Planned, Applied, Failed, Reported (objects skipped with a reason),
        Interrupted, ByOperation (applied and failed per kind of operation), DurationSeconds,
        JournalFile and Run (the run's id in the journal). Nothing with -WhatIf.
    .LINK
        Get-JCSyncPlan
    .LINK
        Test-JCDomainController
    .LINK
        Test-JCRootDN
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Parameters')]
    [OutputType('JumpCloudADI.SyncResult')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 65535)]
        [int] $Port,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Parameters')]
        [switch] $AllowInsecureLdap,

        [Parameter(ParameterSetName = 'Parameters')]
        [switch] $AcknowledgeInsecureLdapRisk,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [System.Security.SecureString] $JumpCloudApiKey,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateSet('US', 'EU', 'IN')]
        [string] $Region,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudUrl,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidatePattern('^[0-9a-fA-F]{24}$')]
        [string] $OrgId,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudCertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds = 30,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [Parameter(ParameterSetName = 'Parameters')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Username')]
        [ValidateNotNullOrEmpty()]
        [string] $User,

        [switch] $AdoptExisting,

        [System.Security.SecureString] $AnchorKey,

        [switch] $Force,

        [ValidateRange(0, 2147483647)]
        [int] $MaxDisableCount,

        [ValidateRange(0.0, 100.0)]
        [double] $MaxDisablePercent,

        [ValidateNotNullOrEmpty()]
        [string] $JournalPath
    )

    begin {
        $journalFile = $null
        if ($PSBoundParameters.ContainsKey('JournalPath')) {
            $journalFile = ResolveJCPath -Path $JournalPath -ParameterName 'JournalPath' -Cmdlet $PSCmdlet
        }
    }

    process {
        # Parameter set 'Parameters' is the only one today; an installed agent's configuration
        # can become a second set that yields the same dictionary.
        $engineParams = NewJCSyncParams -BoundParameters $PSBoundParameters -IncludeForce -Cmdlet $PSCmdlet

        if ($WhatIfPreference) {
            # Plan only (the engine's sync-plan writes nothing) and let ShouldProcess print each
            # operation as a "What if:" line; it returns false, so nothing runs.
            $planned = 0
            InvokeJCEngine -Command 'sync-plan' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
                $planned++
                if ($_.Operation -eq 'skip') {
                    Write-Warning -Message ('Would skip {0} {1}: {2} ({3})' -f $_.ObjectType, $_.Target, $_.Reason, $_.Code)
                }
                else {
                    $text = FormatJCPlanOperation -Operation $_
                    [void]$PSCmdlet.ShouldProcess($text.Target, $text.Action)
                }
            }
            if ($planned -eq 0) {
                Write-Verbose -Message ('Nothing to do: AD under {0} already matches JumpCloud.' -f $RootUserDN)
            }
            return
        }

        if ($PSBoundParameters.ContainsKey('User')) {
            $target = 'JumpCloud user {0} of the ADI domain {1} into {2} on {3}' -f $User, $Domain, $RootUserDN, $Server
        }
        else {
            $target = 'ADI domain {0} into {1} on {2}' -f $Domain, $RootUserDN, $Server
        }
        if (-not $PSCmdlet.ShouldProcess($target, 'Sync from JumpCloud')) {
            return
        }
        if ($null -ne $journalFile) {
            $engineParams['journalFile'] = $journalFile
        }
        InvokeJCEngine -Command 'sync' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
