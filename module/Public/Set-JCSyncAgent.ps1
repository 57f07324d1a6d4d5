function Set-JCSyncAgent {
    <#
    .SYNOPSIS
        Changes the settings of the installed JumpCloud AD sync agent without reinstalling it.
    .DESCRIPTION
        Changes the proxy, the JumpCloud API key, the sync intervals and limits, the log level,
        staging or live (-Staging), or the domain controller and LDAP connection of the agent installed in the folder. An
        upgrade (Install-JCSyncAgent over an installation) keeps the configuration as it is; this
        cmdlet is how its values change, without a new connect key.

        Every value is checked before anything is written; then what can be verified is verified
        (unless -SkipVerify): a new API key or proxy with one authenticated JumpCloud call (through
        the proxy), a new domain controller or LDAP setting with a bind as the configured service
        account. A value that fails leaves the configuration untouched (for example
        JumpCloud.AuthFailed for an API key JumpCloud refuses). The configuration (agent.json) is
        then rewritten once, atomically, readable by its owner only, with the API key and the proxy
        password encrypted exactly as the installation encrypts them.

        When the agent runs, it is restarted through the service manager (the Windows service, the
        systemd unit or the background process) so that it uses the new values, unless -NoRestart.

        Not changeable here, refused with a clear error: the server type (Agent.ServerTypeChange:
        uninstall first), the ADI domain and the Root User DN (Agent.SettingNotChangeable: the
        objects the agent manages would change; uninstall and install again), the mode (agent
        channel or API key), and the service account's password (Reset-JCSyncServiceAccountPassword).

        Secrets reach the engine on its standard input only, and the result shows them only as
        '(changed)'.
    .PARAMETER InstallPath
        The install folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER Proxy
        The new HTTP proxy for every JumpCloud call, as http://host:port, or Environment (HTTPS_PROXY
        and NO_PROXY of the agent's process). Replaces the whole proxy setting: give
        -ProxyCredential and -ProxyBypass again when they still apply.
    .PARAMETER ProxyCredential
        User name and password for the new proxy (Basic authentication); the password is stored
        encrypted. Needs -Proxy with a URL.
    .PARAMETER ProxyBypass
        Host names the agent reaches without the proxy (a name with its subdomains, *.suffix,
        .suffix, an IP address, or *). Needs -Proxy with a URL.
    .PARAMETER NoProxy
        Removes the proxy: the agent connects to JumpCloud directly. Cannot be combined with -Proxy,
        -ProxyCredential or -ProxyBypass.
    .PARAMETER JumpCloudApiKey
        A new JumpCloud API key for the agent, as a SecureString. Stored encrypted.
    .PARAMETER AnchorKey
        An anchor key you keep yourself (New-JCSyncAnchorKey), as a SecureString: stored encrypted,
        used instead of the key kept in the root container (CN=jcsync-anchor-key). Seal the
        existing anchors with it first with one reviewed Invoke-JCSync -AnchorKey -AdoptExisting
        run (docs/anchor-trust.md).
    .PARAMETER JumpCloudTimeoutSeconds
        How long the agent waits for each JumpCloud request (1 to 600; installed default 30).
    .PARAMETER FullReconcileMinutes
        How often the agent reconciles fully even without changes (1 to 1440; installed default 60).
    .PARAMETER OffboardPollSeconds
        How often the agent looks for accounts an administrator disabled in AD (1 to 60; default 10).
    .PARAMETER InsightsPollSeconds
        API-key mode: how often Directory Insights is read for changes (1 to 300; default 10).
    .PARAMETER DebounceMilliseconds
        Quiet time after a change event before the reconcile (0 to 10000; default 250).
    .PARAMETER MaxDisableCount
        The safety threshold: the most users disabled or groups deleted in one reconcile (default 500).
    .PARAMETER MaxDisablePercent
        The safety threshold as a share of the managed objects (0 to 100; default 25).
    .PARAMETER SafetyWindowHours
        The rolling safety limit's window in hours (1 to 720; default 24): MaxDisableCount and
        MaxDisablePercent also cap each kind of destructive change over it.
    .PARAMETER PrivilegedGroup
        More privileged groups (name, DN or SID) besides the well-known ones: their members,
        transitively, are never changed from JumpCloud. Replaces the installed list; an empty
        list (@()) clears it.
    .PARAMETER QuarantineAfterFailures
        Failures in a row after which an object is quarantined (1 to 100; default 5).
    .PARAMETER RetryBaseSeconds
        The first retry delay of a failed object, doubled on each failure (0.1 to 3600; default 15).
    .PARAMETER LogLevel
        The agent log's level: Error, Warning, Info (the default), Verbose or Debug.
    .PARAMETER DomainController
        The domain controller the agent uses (its FQDN, as its certificate names it).
    .PARAMETER Port
        The domain controller's TCP port. Without it, a change of -LdapMode takes the new mode's
        default port (636 for Ldaps, 389 otherwise) when the old one was the old mode's default.
    .PARAMETER LdapMode
        Ldaps, StartTls, or Ldap (no encryption: refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap.
    .PARAMETER AcknowledgeInsecureLdapRisk
        Confirms that you understand the risk of plain LDAP; required with -AllowInsecureLdap.
    .PARAMETER TimeoutSeconds
        How long the agent waits for the domain controller (1 to 3600).
    .PARAMETER ServerType
        Not changeable in place. Given with a value other than the installed one, it is refused
        with Agent.ServerTypeChange (uninstall first).
    .PARAMETER Domain
        Not changeable in place. Given with a value other than the installed one, it is refused
        with Agent.SettingNotChangeable (uninstall and install again).
    .PARAMETER RootUserDN
        Not changeable in place. Given with a value other than the installed one, it is refused
        with Agent.SettingNotChangeable (uninstall and install again).
    .PARAMETER Staging
        -Staging:$false takes a staging agent (Install-JCSyncAgent -Staging) live: from its restart
        on it applies the operations it journaled as Staged (Get-JCSyncHistory -Outcome Staged).
        -Staging puts a live agent back into staging: it plans and journals what it would do and
        writes nothing to AD, suspends nothing in JumpCloud and sets no password.
    .PARAMETER SkipVerify
        Writes the values without verifying them against JumpCloud and the domain controller.
    .PARAMETER NoRestart
        Does not restart a running agent: it keeps its old settings until its next start.
    .PARAMETER StartTimeoutSeconds
        How long to wait for the restarted agent to report connected. Default: 60.
    .PARAMETER ComputerName
        Runs the cmdlet on these servers over PowerShell remoting (the JumpCloudADI module must be
        installed there), all at once up to -ThrottleLimit. Names can be piped in. Each result
        carries ComputerName; a server that cannot be reached or fails is a non-terminating error
        (Remote.Unreachable, Remote.ModuleMissing or the cmdlet's own error) and the others go on.
        Paths (-InstallPath, CA files) are those of the remote server. Secrets travel as
        SecureStrings inside the encrypted remoting session.
    .PARAMETER Credential
        The account for PowerShell remoting (-ComputerName); default: the current one.
    .PARAMETER ThrottleLimit
        How many servers at once with -ComputerName. Default: 32.
    .EXAMPLE
        Set-JCSyncAgent -Proxy 'http://proxy.corp:3128' -ProxyCredential (Get-Credential 'CORP\svc-proxy') -ProxyBypass '*.corp.example.com'

        Sends the agent's JumpCloud calls through the corporate proxy (verified with a call through
        it first) and restarts the agent.
    .EXAMPLE
        Set-JCSyncAgent -FullReconcileMinutes 30 -LogLevel Verbose -WhatIf

        Shows what would change (one "What if:" line per setting) and changes nothing.
    .EXAMPLE
        Set-JCSyncAgent -JumpCloudApiKey (Read-Host -AsSecureString -Prompt 'New JumpCloud API key') -NoRestart

        Replaces the API key (JumpCloud must accept it first); the running agent uses it from its next start.
    .EXAMPLE
        Set-JCSyncAgent -DomainController dc2.example.com -CertificateAuthorityFile C:\PKI\corp-ca.pem

        Points the agent at another domain controller, after a bind there as the service account.
    .EXAMPLE
        Get-JCSyncHistory -Outcome Staged | Format-Table Time, Kind, Target, Detail
        Set-JCSyncAgent -Staging:$false

        After reviewing what the staging agent would have done, takes it live: it is restarted and
        applies those operations.
    .EXAMPLE
        'dc1', 'dc2', 'dc3' | Set-JCSyncAgent -Proxy 'http://proxy.corp:3128' -Confirm:$false

        Puts the agents of three servers behind the corporate proxy, each verified and restarted on its server.
    .OUTPUTS
        JumpCloudADI.SyncAgentConfigChange
        InstallPath, Changed (Setting, Before, After; a secret only as '(changed)'), Verified,
        RestartRequired (the agent was running), Restarted. Nothing with -WhatIf.
    .LINK
        Install-JCSyncAgent
    .LINK
        Get-JCSyncAgent
    .LINK
        Reset-JCSyncServiceAccountPassword
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentConfigChange')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateNotNullOrEmpty()]
        [string[]] $ProxyBypass,

        [switch] $NoProxy,

        [System.Security.SecureString] $JumpCloudApiKey,

        [System.Security.SecureString] $AnchorKey,

        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds,

        [ValidateRange(1, 1440)]
        [int] $FullReconcileMinutes,

        [ValidateRange(1, 60)]
        [int] $OffboardPollSeconds,

        [ValidateRange(1, 300)]
        [int] $InsightsPollSeconds,

        [ValidateRange(0, 10000)]
        [int] $DebounceMilliseconds,

        [ValidateRange(0, 2147483647)]
        [int] $MaxDisableCount,

        [ValidateRange(0.0, 100.0)]
        [double] $MaxDisablePercent,

        [ValidateRange(1, 720)]
        [int] $SafetyWindowHours,

        [AllowEmptyCollection()]
        [string[]] $PrivilegedGroup,

        [ValidateRange(1, 100)]
        [int] $QuarantineAfterFailures,

        [ValidateRange(0.1, 3600)]
        [double] $RetryBaseSeconds,

        [ValidateSet('Error', 'Warning', 'Info', 'Verbose', 'Debug')]
        [string] $LogLevel,

        [ValidateNotNullOrEmpty()]
        [string] $DomainController,

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode,

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds,

        [ValidateSet('DC', 'MemberServer')]
        [string] $ServerType,

        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [switch] $Staging,

        [switch] $SkipVerify,

        [switch] $NoRestart,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 60,

        [Parameter(Mandatory = $true, ParameterSetName = 'Remote', ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(ParameterSetName = 'Remote')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Remote')]
        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32
    )

    begin {
        $fleet = New-Object -TypeName System.Collections.Generic.List[string]
    }

    process {
        if (TestJCRemoteCall -Cmdlet $PSCmdlet -InputObject $_) {
            $fleet.AddRange([string[]]$ComputerName)
            return
        }
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        $engineParams = [ordered]@{ installPath = $path }

        if ($NoProxy) {
            $hasProxyValue = -not [string]::IsNullOrEmpty($Proxy) -or $PSBoundParameters.ContainsKey('ProxyCredential') -or $PSBoundParameters.ContainsKey('ProxyBypass')
            if ($hasProxyValue) {
                $record = NewJCErrorRecord -ErrorId 'Proxy.Conflict' -Message '-NoProxy removes the proxy: it cannot be combined with -Proxy, -ProxyCredential or -ProxyBypass.' -Category InvalidArgument -TargetObject 'NoProxy' -ExceptionType 'System.ArgumentException'
                $PSCmdlet.ThrowTerminatingError($record)
            }
            $engineParams['proxy'] = $null
        }
        else {
            $splatProxy = @{
                Proxy           = $Proxy
                ProxyCredential = $ProxyCredential
                ProxyBypass     = $ProxyBypass
                Cmdlet          = $PSCmdlet
            }
            $proxyBlock = NewJCProxyBlock @splatProxy
            if ($null -ne $proxyBlock) {
                $engineParams['proxy'] = $proxyBlock
            }
        }
        if ($PSBoundParameters.ContainsKey('JumpCloudApiKey')) {
            $engineParams['jumpcloudApiKey'] = $JumpCloudApiKey
        }
        if ($PSBoundParameters.ContainsKey('Staging')) {
            $engineParams['staging'] = [bool]$Staging
        }
        if ($PSBoundParameters.ContainsKey('AnchorKey')) {
            $engineParams['anchorKey'] = $AnchorKey
        }
        if ($PSBoundParameters.ContainsKey('JumpCloudTimeoutSeconds')) {
            $engineParams['jumpcloudTimeoutMs'] = $JumpCloudTimeoutSeconds * 1000
        }

        $syncNames = [ordered]@{
            FullReconcileMinutes    = 'fullReconcileMinutes'
            OffboardPollSeconds     = 'offboardPollSeconds'
            InsightsPollSeconds     = 'insightsPollSeconds'
            DebounceMilliseconds    = 'debounceMs'
            MaxDisableCount         = 'maxDisableCount'
            MaxDisablePercent       = 'maxDisablePercent'
            SafetyWindowHours       = 'safetyWindowHours'
            QuarantineAfterFailures = 'quarantineAfterFailures'
            RetryBaseSeconds        = 'retryBaseSeconds'
        }
        $sync = [ordered]@{}
        foreach ($name in $syncNames.Keys) {
            if ($PSBoundParameters.ContainsKey($name)) {
                $sync[$syncNames[$name]] = $PSBoundParameters[$name]
            }
        }
        if ($PSBoundParameters.ContainsKey('LogLevel')) {
            $sync['logLevel'] = $LogLevel.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('PrivilegedGroup')) {
            $sync['privilegedGroups'] = @($PrivilegedGroup)
        }
        if ($sync.Count -gt 0) {
            $engineParams['sync'] = $sync
        }

        if ($PSBoundParameters.ContainsKey('DomainController')) {
            $engineParams['domainController'] = $DomainController
        }
        $ldap = [ordered]@{}
        if ($PSBoundParameters.ContainsKey('LdapMode')) {
            $ldap['mode'] = $LdapMode.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('Port')) {
            $ldap['port'] = $Port
        }
        if ($PSBoundParameters.ContainsKey('CertificateAuthorityFile')) {
            $ldap['caFile'] = ResolveJCPath -Path $CertificateAuthorityFile -ParameterName 'CertificateAuthorityFile' -MustExist -Cmdlet $PSCmdlet
        }
        if ($PSBoundParameters.ContainsKey('TimeoutSeconds')) {
            $ldap['timeoutMs'] = $TimeoutSeconds * 1000
        }
        if ($PSBoundParameters.ContainsKey('AllowInsecureLdap')) {
            $ldap['allowInsecure'] = [bool]$AllowInsecureLdap
        }
        if ($PSBoundParameters.ContainsKey('AcknowledgeInsecureLdapRisk')) {
            $ldap['insecureRiskAcknowledged'] = [bool]$AcknowledgeInsecureLdapRisk
        }
        if ($ldap.Count -gt 0) {
            $engineParams['ldap'] = $ldap
        }

        # Refused by the engine when they differ from the installed values.
        if ($PSBoundParameters.ContainsKey('ServerType')) {
            if ($ServerType -eq 'DC') {
                $engineParams['serverType'] = 'dc'
            }
            else {
                $engineParams['serverType'] = 'member'
            }
        }
        if ($PSBoundParameters.ContainsKey('Domain')) {
            $engineParams['domain'] = $Domain
        }
        if ($PSBoundParameters.ContainsKey('RootUserDN')) {
            $engineParams['rootUserDN'] = $RootUserDN
        }

        $settingNames = @($engineParams.Keys | Where-Object { $_ -ne 'installPath' })
        if ($settingNames.Count -eq 0) {
            $message = 'Give at least one setting to change (for example -Proxy, -JumpCloudApiKey, -FullReconcileMinutes, -DomainController).'
            $record = NewJCErrorRecord -ErrorId 'Agent.NoSettingGiven' -Message $message -Category InvalidArgument -TargetObject $path -ExceptionType 'System.ArgumentException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        $engineParams['verify'] = -not $SkipVerify

        if ($WhatIfPreference) {
            # The engine checks (and verifies) the values and lists the changes; nothing is written.
            $engineParams['whatIf'] = $true
            $planned = GetJCConfigChangeRecord -Output @(InvokeJCEngine -Command 'agent-configure' -Parameters $engineParams -Cmdlet $PSCmdlet)
            foreach ($change in @($planned.Changed)) {
                [void]$PSCmdlet.ShouldProcess($path, ('Change the sync agent setting {0} from {1} to {2}' -f $change.Setting, $change.Before, $change.After))
            }
            if (@($planned.Changed).Count -eq 0) {
                Write-Verbose -Message ('The agent in {0} already has these settings.' -f $path)
            }
            elseif ($planned.RestartRequired -and -not $NoRestart) {
                [void]$PSCmdlet.ShouldProcess($path, 'Restart the JumpCloud sync agent')
            }
            return
        }
        if (-not $PSCmdlet.ShouldProcess($path, ('Change the JumpCloud sync agent settings: {0}' -f ($settingNames -join ', ')))) {
            return
        }

        $change = GetJCConfigChangeRecord -Output @(InvokeJCEngine -Command 'agent-configure' -Parameters $engineParams -Cmdlet $PSCmdlet)
        $restarted = $false
        if ($null -ne $change -and $change.RestartRequired) {
            if ($NoRestart) {
                Write-Warning -Message ('The running agent in {0} keeps its old settings until it is restarted (Stop-JCSyncAgent, then Start-JCSyncAgent).' -f $path)
            }
            else {
                [void](InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet)
                [void](InvokeJCAgentService -Action Start -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet)
                $restarted = $true
            }
        }
        if ($null -ne $change) {
            $change | Add-Member -NotePropertyName 'Restarted' -NotePropertyValue $restarted -Force
            $change
        }
    }

    end {
        if ($fleet.Count -gt 0) {
            InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters -Action 'Change the JumpCloud sync agent settings'
        }
    }
}
