function InvokeJCRehearsalHost {
    <#
    .SYNOPSIS
        Answers the rehearsal engine's requests on Windows: start, check and remove the rehearsal's Windows service.
    .DESCRIPTION
        Invoke-JCSyncRehearsal hands this to InvokeJCEngine -RequestHandler. The engine installs
        the agent into its temporary folder (the install folder ACL naming the rehearsal service's
        virtual account) and asks:
          Start   register the service with the production code (InvokeJCAgentService Register,
                  GetJCServiceRegistration: the service host, NT SERVICE\<name>, the failure
                  actions) under the rehearsal's name, start it and wait until the agent reports
                  connected; the JumpCloud and AD changes of the rehearsal then go through it.
          Check   the rows only the service control manager and the Event Log answer: the engine
                  killed (the service must come back by its recovery actions and the agent connect
                  again), a graceful stop, the service host's event 3 naming this folder; then the
                  service (and the Event Log source if the rehearsal made it) is removed.
          Remove  only the removal (the rehearsal failed half way).
        Returns @{ Reply = @{ ok; reason; evidence }; Output = rows }. The Windows calls are thin
        functions (GetJCRehearsalServiceFacts, StopJCRehearsalEngine, GetJCRehearsalEvent,
        TestJCEventSource, UnregisterJCEventSource); what they return is judged by
        GetJCRehearsalStartStopRow, GetJCRehearsalRestartRow and GetJCRehearsalEventRow.
    .PARAMETER Request
        The engine's JumpCloudADI.EngineRequest (Action, InstallPath, ServiceName, Rows, Blocked).
    .PARAMETER State
        The rehearsal's Windows state (ServiceName, InstallPath, Registered, Started, SourceCreated,
        Removed, Since, StartFacts, StartError), shared with the cmdlet's cleanup.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER PollSeconds
        How often the service's state is read while waiting.
    .PARAMETER RestartTimeoutSeconds
        How long the service may take to come back after the kill (its first recovery action waits 10 s).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)]
        $Request,

        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [int] $PollSeconds = 1,

        [int] $RestartTimeoutSeconds = 120
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $action = [string](GetJCField -InputObject $Request -Name 'Action')
    $name = [string](GetJCField -InputObject $Request -Name 'ServiceName')
    if ($name -cne $State.ServiceName) {
        # Only the service this rehearsal named: never the production one, never another's.
        return @{ Reply = @{ ok = $false; reason = ('the engine asked about the service "{0}", not this rehearsal''s {1}' -f $name, $State.ServiceName); evidence = '' }; Output = @() }
    }
    $installPath = [string](GetJCField -InputObject $Request -Name 'InstallPath')
    if ($installPath -ne '') {
        $State.InstallPath = $installPath
    }

    switch ($action) {
        'Start' {
            $facts = $null
            try {
                $State.SourceCreated = -not (TestJCEventSource -Source $script:JCServiceName)
                # Set before registering: a half-done registration is removed too.
                $State.Registered = $true
                InvokeJCAgentService -Action Register -InstallPath $State.InstallPath -ServiceName $name -Cmdlet $Cmdlet
                $State.Since = [System.DateTime]::Now
                $status = InvokeJCAgentService -Action Start -InstallPath $State.InstallPath -ServiceName $name -TimeoutSeconds 120 -Cmdlet $Cmdlet
                $facts = GetJCRehearsalServiceFacts -ServiceName $name
                $State.StartFacts = $facts
                $State.Started = $facts.State -eq 'Running'
                $evidence = '{0} as {1}, service host process {2}, engine process {3}; agent {4}' -f $facts.State, $facts.StartName, $facts.ServicePid, $facts.EnginePid, [string](GetJCField -InputObject $status -Name 'Status')
                if (-not $State.Started) {
                    return @{ Reply = @{ ok = $false; reason = ('the service is {0} after the start' -f $facts.State); evidence = $evidence }; Output = @() }
                }
                return @{ Reply = @{ ok = $true; reason = ''; evidence = $evidence }; Output = @() }
            }
            catch [System.Management.Automation.PipelineStoppedException] {
                throw
            }
            catch {
                $State.StartError = $_.Exception.Message
                return @{ Reply = @{ ok = $false; reason = $_.Exception.Message; evidence = '' }; Output = @() }
            }
        }
        'Check' {
            $rows = New-Object -TypeName System.Collections.Generic.List[object]
            $blocked = [string](GetJCField -InputObject $Request -Name 'Blocked')
            if ($blocked -eq '' -and -not $State.Started) {
                $blocked = 'the rehearsal service did not start'
                if ($State.StartError) {
                    $blocked = 'the rehearsal service did not start: {0}' -f $State.StartError
                }
            }
            if ($blocked -ne '') {
                foreach ($check in @('Service starts and stops', 'Service restarted after its engine is killed', 'Event Log entries')) {
                    $rows.Add((NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Skipped' -Reason $blocked))
                }
            }
            else {
                # Restart after the engine is killed.
                $started = [System.Diagnostics.Stopwatch]::StartNew()
                $before = GetJCRehearsalServiceFacts -ServiceName $name
                $states = New-Object -TypeName System.Collections.Generic.List[string]
                $states.Add([string]$before.State)
                $killError = ''
                $after = $null
                $agentReady = $false
                $agentDetail = 'not asked'
                $killedAt = [System.DateTime]::UtcNow
                if ($before.State -eq 'Running' -and $null -ne $before.EnginePid) {
                    try {
                        StopJCRehearsalEngine -Id $before.EnginePid
                    }
                    catch [System.Management.Automation.PipelineStoppedException] {
                        throw
                    }
                    catch {
                        $killError = $_.Exception.Message
                    }
                    if ($killError -eq '') {
                        for ($i = 0; $i -lt [System.Math]::Max(1, [int]($RestartTimeoutSeconds / [System.Math]::Max(1, $PollSeconds))); $i++) {
                            Start-Sleep -Seconds $PollSeconds
                            $after = GetJCRehearsalServiceFacts -ServiceName $name
                            if ($states[$states.Count - 1] -ne [string]$after.State) {
                                $states.Add([string]$after.State)
                            }
                            if ($after.State -eq 'Running' -and $after.ServicePid -ne $before.ServicePid -and $null -ne $after.EnginePid) {
                                break
                            }
                        }
                        if ($null -ne $after -and $after.State -eq 'Running') {
                            try {
                                $splatWait = [ordered]@{ installPath = $State.InstallPath; timeoutSeconds = 90; since = $killedAt.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture) }
                                $waited = InvokeJCEngine -Command 'agent-wait' -Parameters $splatWait -Cmdlet $Cmdlet
                                $agentReady = $true
                                $agentDetail = 'connected again ({0})' -f [string](GetJCField -InputObject $waited -Name 'Status')
                            }
                            catch [System.Management.Automation.PipelineStoppedException] {
                                throw
                            }
                            catch {
                                $agentDetail = $_.Exception.Message
                            }
                        }
                    }
                }
                $restartRow = GetJCRehearsalRestartRow -Before $before -After $after -States @($states) -KillError $killError -AgentReady $agentReady -AgentDetail $agentDetail -Seconds $started.Elapsed.TotalSeconds
                # A graceful stop.
                $started = [System.Diagnostics.Stopwatch]::StartNew()
                $running = GetJCRehearsalServiceFacts -ServiceName $name
                $stopError = ''
                try {
                    InvokeJCAgentService -Action Stop -InstallPath $State.InstallPath -ServiceName $name -TimeoutSeconds 60 -Cmdlet $Cmdlet
                }
                catch [System.Management.Automation.PipelineStoppedException] {
                    throw
                }
                catch {
                    $stopError = $_.Exception.Message
                }
                $watch = 0
                if ($null -ne $running.EnginePid) {
                    $watch = [int]$running.EnginePid
                }
                $stopped = GetJCRehearsalServiceFacts -ServiceName $name -WatchPid $watch
                $rows.Add((GetJCRehearsalStartStopRow -ServiceName $name -Started $State.StartFacts -StartError ([string]$State.StartError) -Stopped $stopped -StopError $stopError -Seconds $started.Elapsed.TotalSeconds))
                $rows.Add($restartRow)
                # The Event Log: the service host's event 3 for the kill.
                if ($before.State -eq 'Running' -and $null -ne $before.EnginePid -and $killError -eq '') {
                    $query = GetJCRehearsalEventQuery -Since $State.Since -InstallPath $State.InstallPath
                    $rows.Add((GetJCRehearsalEventRow -Events @(GetJCRehearsalEvent -Filter $query.Filter) -Query $query))
                }
                else {
                    $rows.Add((NewJCRehearsalCheck -Area 'Windows host' -Check 'Event Log entries' -Status 'Skipped' -Reason 'the engine was not killed, so the service host had no event to write'))
                }
            }
            $cleanup = InvokeJCRehearsalCleanup -State $State -Cmdlet $Cmdlet
            return @{
                Reply  = @{ ok = (@($cleanup.Left).Count -eq 0); reason = (@($cleanup.Left) -join '; '); evidence = ('removed: {0}' -f (@($cleanup.Removed) -join '; ')) }
                Output = $rows.ToArray()
            }
        }
        'Remove' {
            $cleanup = InvokeJCRehearsalCleanup -State $State -Cmdlet $Cmdlet
            return @{ Reply = @{ ok = (@($cleanup.Left).Count -eq 0); reason = (@($cleanup.Left) -join '; '); evidence = ('removed: {0}' -f (@($cleanup.Removed) -join '; ')) }; Output = @() }
        }
        default {
            return @{ Reply = @{ ok = $false; reason = ('unknown request "{0}"' -f $action); evidence = '' }; Output = @() }
        }
    }
}
