# The rehearsal's Windows host rows on the module's side (InvokeJCRehearsalHost and its helpers):
# the inputs computed here (the service name, its registration through the production code, the
# Event Log query, the cleanup list), the thin Windows layer mocked (GetJCRehearsalServiceFacts,
# StopJCRehearsalEngine, GetJCRehearsalEvent, TestJCEventSource, UnregisterJCEventSource, the
# *-Service cmdlets), and each row's judgement of the evidence, Pass and Fail. What only Windows can
# prove runs in Invoke-JCSyncRehearsal on the admin's server.

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/ServiceStandIns.ps1')
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }

    $script:Name = 'JumpCloudADISync-Rehearsal-20261201-081500'
    $script:Account = 'NT SERVICE\' + $script:Name
    $script:InstallPath = 'C:\Users\adm\AppData\Local\Temp\jcadi-rehearsal-agent-Ab12Cd\AD Integration'

    function New-Facts {
        param([string] $State = 'Running', [int] $ServicePid = 100, $EnginePid = 200, [string] $StartName = $script:Account, $ExitCode = 0, $WatchedAlive = $null, [bool] $Exists = $true)
        [pscustomobject]@{ Exists = $Exists; State = $State; StartName = $StartName; ServicePid = $ServicePid; ExitCode = $ExitCode; EnginePid = $EnginePid; WatchedAlive = $WatchedAlive }
    }

    # Stand-ins for the *-Service cmdlets, so that they can be mocked (removed again at the end).
    $script:ServiceStandIns = Add-ServiceStandIns
}

AfterAll {
    Remove-ServiceStandIns -Name $script:ServiceStandIns
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'The rehearsal service: name and registration' {
    It 'is JumpCloudADISync-Rehearsal- and the UTC time (yyyyMMdd-HHmmss), never the production service' {
        $time = New-Object -TypeName System.DateTime -ArgumentList @(2026, 12, 1, 8, 15, 0, [System.DateTimeKind]::Utc)
        $name = InModuleScope JumpCloudADI -Parameters @{ Time = $time } { param($Time) GetJCRehearsalServiceName -Time $Time }
        $name | Should -BeExactly $script:Name
        $name | Should -Not -Be 'JumpCloudADISync'
        # The same pattern the engine accepts for the folder ACL (engine/src/agent/config.ts).
        $engineConfig = Get-Content -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'engine/src/agent/config.ts') -Raw
        $engineConfig | Should -Match ([regex]::Escape('/^JumpCloudADISync-Rehearsal-[0-9]{8}-[0-9]{6}$/'))
        InModuleScope JumpCloudADI { $script:JCRehearsalServicePattern } | Should -BeExactly '^JumpCloudADISync-Rehearsal-[0-9]{8}-[0-9]{6}$'
    }

    It 'is registered like the production service: quoted service host, its own virtual account, the same failure actions, started by hand' {
        Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
        $registration = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name } { param($Name) GetJCServiceRegistration -ServiceHostPath 'C:\T\x\AD Integration\jcadi-service.exe' -ServiceName $Name }
        $registration.Name | Should -BeExactly $script:Name
        $registration.BinaryPathName | Should -BeExactly '"C:\T\x\AD Integration\jcadi-service.exe"'
        $registration.Account | Should -BeExactly $script:Account
        $registration.AccountChange.StartName | Should -BeExactly $script:Account
        $registration.AccountChange.StartPassword | Should -BeExactly ''
        $registration.StartupType | Should -BeExactly 'Manual'
        $registration.DisplayName | Should -BeExactly 'JumpCloud AD Integration Sync Agent (rehearsal 20261201-081500)'
        $registration.ScExe | Should -Match '^[A-Za-z]:\\Windows\\System32\\sc\.exe$'
        @($registration.ScArguments | ForEach-Object { $_ -join ' ' }) | Should -Be @(
            "sidtype $script:Name unrestricted"
            "failure $script:Name reset= 86400 actions= restart/10000/restart/10000/restart/60000"
            "failureflag $script:Name 1"
        )
        $registration.EventSource | Should -BeExactly 'JumpCloudADISync' -Because 'the service host writes under its own source, whatever the service is called'
        $production = InModuleScope JumpCloudADI { GetJCServiceRegistration -ServiceHostPath 'C:\P\jcadi-service.exe' }
        $production.Name | Should -BeExactly 'JumpCloudADISync'
        $production.StartupType | Should -BeExactly 'Automatic'
        $production.Account | Should -BeExactly 'NT SERVICE\JumpCloudADISync'
    }

    It 'refuses any other service name' {
        foreach ($bad in @('Spooler', 'JumpCloudADISync-Rehearsal-x', 'jumpcloudadisync')) {
            { InModuleScope JumpCloudADI -Parameters @{ Bad = $bad } { param($Bad) GetJCServiceRegistration -ServiceHostPath 'C:\P\jcadi-service.exe' -ServiceName $Bad } } | Should -Throw '*neither JumpCloudADISync nor a rehearsal service name*'
        }
    }

    It 'registers, starts, stops and deletes only the rehearsal service through InvokeJCAgentService' {
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[string]
        Mock -ModuleName JumpCloudADI GetJCServiceManager { 'Windows' }
        Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
        $script:ServiceExists = $false
        Mock -ModuleName JumpCloudADI Get-Service { if ($script:ServiceExists) { [pscustomobject]@{ Name = $Name; Status = 'Running' } } }
        Mock -ModuleName JumpCloudADI New-Service { $script:Calls.Add(('New-Service {0} {1} {2} [{3}]' -f $Name, $BinaryPathName, $StartupType, $DisplayName)) }
        Mock -ModuleName JumpCloudADI SetJCServiceAccount { $script:Calls.Add(('SetJCServiceAccount {0} {1}' -f $Name, $Change.StartName)) }
        Mock -ModuleName JumpCloudADI RegisterJCEventSource { $script:Calls.Add(('RegisterJCEventSource {0}' -f $Source)) }
        Mock -ModuleName JumpCloudADI InvokeJCNativeCommand { $script:Calls.Add(('{0} {1}' -f $FilePath, ($ArgumentList -join ' '))) }
        Mock -ModuleName JumpCloudADI Start-Service { $script:Calls.Add(('Start-Service {0}' -f $Name)) }
        Mock -ModuleName JumpCloudADI Stop-Service { $script:Calls.Add(('Stop-Service {0}' -f $Name)) }
        Mock -ModuleName JumpCloudADI InvokeJCEngine { $script:Calls.Add(('engine {0}' -f $Command)) }
        InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name; Path = $script:InstallPath } {
            param($Name, $Path)
            InvokeJCAgentService -Action Register -InstallPath $Path -ServiceName $Name
            InvokeJCAgentService -Action Start -InstallPath $Path -ServiceName $Name
        }
        $script:ServiceExists = $true
        InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name; Path = $script:InstallPath } {
            param($Name, $Path)
            InvokeJCAgentService -Action Stop -InstallPath $Path -ServiceName $Name
            InvokeJCAgentService -Action Unregister -InstallPath $Path -ServiceName $Name
            (InvokeJCAgentService -Action Query -InstallPath $Path -ServiceName $Name).Name | Should -BeExactly $Name
        }
        $hostPath = [System.IO.Path]::Combine($script:InstallPath, 'jcadi-service.exe')
        $sc = 'C:\Windows\System32\sc.exe'
        @($script:Calls) | Should -Be @(
            ('New-Service {0} "{1}" Manual [JumpCloud AD Integration Sync Agent (rehearsal 20261201-081500)]' -f $script:Name, $hostPath)
            ('SetJCServiceAccount {0} {1}' -f $script:Name, $script:Account)
            ('{0} sidtype {1} unrestricted' -f $sc, $script:Name)
            ('{0} failure {1} reset= 86400 actions= restart/10000/restart/10000/restart/60000' -f $sc, $script:Name)
            ('{0} failureflag {1} 1' -f $sc, $script:Name)
            'RegisterJCEventSource JumpCloudADISync'
            ('Start-Service {0}' -f $script:Name)
            'engine agent-wait'
            ('Stop-Service {0}' -f $script:Name)
            ('{0} delete {1}' -f $sc, $script:Name)
        )
        @($script:Calls | Where-Object { $_ -match '(^| )JumpCloudADISync( |$)' -and $_ -notmatch 'RegisterJCEventSource' }) | Should -BeNullOrEmpty -Because 'the production service is never touched'
    }
}

Describe 'The rehearsal rows: judgements of the evidence' {
    It 'names its rows as the engine''s WINDOWS_ROWS and MODULE_ROWS do (engine/src/cli/commands/rehearsal.ts)' {
        $engine = Get-Content -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'engine/src/cli/commands/rehearsal.ts') -Raw
        $rows = InModuleScope JumpCloudADI {
            (GetJCRehearsalStartStopRow -ServiceName 'JumpCloudADISync-Rehearsal-20261201-081500').Check
            (GetJCRehearsalRestartRow).Check
            (GetJCRehearsalEventRow -Query @{ Filter = @{ LogName = 'Application'; ProviderName = 'JumpCloudADISync'; StartTime = [datetime]::Now }; Match = 'x'; Ids = @(3) }).Check
        }
        @($rows | ForEach-Object { $_ }) | Should -Be @('Service starts and stops', 'Service restarted after its engine is killed', 'Event Log entries')
        foreach ($check in $rows) {
            $engine | Should -Match ([regex]::Escape(("['{0}'," -f $check)))
        }
        $engine | Should -Match ([regex]::Escape("const MODULE_ROWS = new Set(['Service starts and stops', 'Service restarted after its engine is killed', 'Event Log entries']);"))
    }

    Context 'Service starts and stops' {
        It 'passes a start as the virtual account with an engine and a graceful stop (exit 0, engine gone)' {
            $row = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name; Started = (New-Facts); Stopped = (New-Facts -State 'Stopped' -ServicePid 0 -EnginePid $null -WatchedAlive $false) } {
                param($Name, $Started, $Stopped)
                GetJCRehearsalStartStopRow -ServiceName $Name -Started $Started -Stopped $Stopped -Seconds 2.345
            }
            $row.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.RehearsalCheck'
            $row.Area | Should -BeExactly 'Windows host'
            $row.Check | Should -BeExactly 'Service starts and stops'
            $row.Status | Should -BeExactly 'Pass'
            $row.Evidence | Should -BeLike ('started: Running as {0}, service host process 100, engine process 200; stopped: Stopped, exit code 0, engine process gone' -f $script:Account)
            $row.Seconds | Should -Be 2.35
        }

        It 'fails <What>' -ForEach @(
            @{ What = 'a start that threw'; StartError = 'Start-Service: cannot start service'; Started = $null; Stopped = 'ok'; Reason = 'the service did not start: Start-Service*' }
            @{ What = 'a service that runs as LocalSystem'; StartError = ''; Started = 'LocalSystem'; Stopped = 'ok'; Reason = 'it runs as LocalSystem, not NT SERVICE\*' }
            @{ What = 'a service without an engine'; StartError = ''; Started = 'noengine'; Stopped = 'ok'; Reason = 'no engine process ran under the service host' }
            @{ What = 'a stop with exit code 1067'; StartError = ''; Started = 'ok'; Stopped = '1067'; Reason = 'it stopped with exit code 1067*' }
            @{ What = 'an engine left running after the stop'; StartError = ''; Started = 'ok'; Stopped = 'alive'; Reason = 'the engine still runs after the stop' }
            @{ What = 'a service still running'; StartError = ''; Started = 'ok'; Stopped = 'running'; Reason = 'the service was not stopped after the stop' }
        ) {
            $startedFacts = switch ($Started) {
                'ok' { New-Facts }
                'LocalSystem' { New-Facts -StartName 'LocalSystem' }
                'noengine' { New-Facts -EnginePid $null }
                default { $null }
            }
            $stoppedFacts = switch ($Stopped) {
                'ok' { New-Facts -State 'Stopped' -EnginePid $null -WatchedAlive $false }
                '1067' { New-Facts -State 'Stopped' -EnginePid $null -ExitCode 1067 -WatchedAlive $false }
                'alive' { New-Facts -State 'Stopped' -EnginePid $null -WatchedAlive $true }
                'running' { New-Facts }
            }
            $row = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name; Started = $startedFacts; Stopped = $stoppedFacts; StartError = $StartError } {
                param($Name, $Started, $Stopped, $StartError)
                GetJCRehearsalStartStopRow -ServiceName $Name -Started $Started -StartError $StartError -Stopped $Stopped
            }
            $row.Status | Should -BeExactly 'Fail'
            $row.Reason | Should -BeLike $Reason
        }
    }

    Context 'Service restarted after its engine is killed' {
        It 'passes a restart by the service control manager: a new service host, a new engine, the agent connected again' {
            $row = InModuleScope JumpCloudADI -Parameters @{ Before = (New-Facts); After = (New-Facts -ServicePid 300 -EnginePid 400) } {
                param($Before, $After)
                GetJCRehearsalRestartRow -Before $Before -After $After -States @('Running', 'Stopped', 'Running') -AgentReady $true -AgentDetail 'connected again (Running)' -Seconds 12.5
            }
            $row.Status | Should -BeExactly 'Pass'
            $row.Check | Should -BeExactly 'Service restarted after its engine is killed'
            $row.Evidence | Should -BeExactly 'engine process 200 of service host 100 killed; states seen: Running > Stopped > Running; then Running, service host 300, engine 400; agent: connected again (Running)'
        }

        It 'fails <What>' -ForEach @(
            @{ What = 'when no engine ran to kill'; Before = 'noengine'; After = 'restarted'; KillError = ''; Ready = $true; Reason = 'there was no running engine*' }
            @{ What = 'when the kill failed'; Before = 'ok'; After = $null; KillError = 'Access is denied'; Ready = $false; Reason = 'the engine could not be killed: Access is denied' }
            @{ What = 'when the service stayed stopped (no recovery actions)'; Before = 'ok'; After = 'stopped'; KillError = ''; Ready = $false; Reason = 'the service did not run again*qfailure*' }
            @{ What = 'when the same service host runs on (not restarted by the service control manager)'; Before = 'ok'; After = 'samehost'; KillError = ''; Ready = $true; Reason = 'the same service host process still runs*' }
            @{ What = 'when the restarted agent did not connect'; Before = 'ok'; After = 'restarted'; KillError = ''; Ready = $false; Reason = 'the restarted agent did not report connected' }
        ) {
            $beforeFacts = if ($Before -eq 'ok') { New-Facts } else { New-Facts -EnginePid $null }
            $afterFacts = switch ($After) {
                'restarted' { New-Facts -ServicePid 300 -EnginePid 400 }
                'stopped' { New-Facts -State 'Stopped' -ServicePid 0 -EnginePid $null -ExitCode 1067 }
                'samehost' { New-Facts -ServicePid 100 -EnginePid 400 }
                default { $null }
            }
            $row = InModuleScope JumpCloudADI -Parameters @{ B = $beforeFacts; A = $afterFacts; K = $KillError; R = $Ready } {
                param($B, $A, $K, $R)
                GetJCRehearsalRestartRow -Before $B -After $A -States @('Running') -KillError $K -AgentReady $R -AgentDetail 'x'
            }
            $row.Status | Should -BeExactly 'Fail'
            $row.Reason | Should -BeLike $Reason
        }
    }

    Context 'Event Log entries' {
        BeforeAll {
            $script:Since = New-Object -TypeName System.DateTime -ArgumentList @(2026, 12, 1, 8, 15, 0)
        }

        It 'queries the Application log for the service host''s source since the start, and matches this install folder' {
            $query = InModuleScope JumpCloudADI -Parameters @{ Since = $script:Since; Path = $script:InstallPath } { param($Since, $Path) GetJCRehearsalEventQuery -Since $Since -InstallPath $Path }
            $query.Filter.LogName | Should -BeExactly 'Application'
            $query.Filter.ProviderName | Should -BeExactly 'JumpCloudADISync'
            $query.Filter.StartTime | Should -Be $script:Since
            $query.Match | Should -BeExactly 'jcadi-rehearsal-agent-Ab12Cd\AD Integration'
            $query.Ids | Should -Be @(1, 2, 3, 4)
        }

        It 'passes the service host''s event 3 naming this install folder' {
            $events = @(
                [pscustomobject]@{ Id = 0; TimeCreated = $script:Since.AddSeconds(1); Message = 'Service started successfully.' }
                [pscustomobject]@{ Id = 3; TimeCreated = $script:Since.AddSeconds(30); Message = ('The sync agent ended unexpectedly (exit code 1): the service stops with 1067. (log: {0}\logs\service.log)' -f $script:InstallPath) }
            )
            $row = InModuleScope JumpCloudADI -Parameters @{ Events = $events; Since = $script:Since; Path = $script:InstallPath } {
                param($Events, $Since, $Path)
                GetJCRehearsalEventRow -Events $Events -Query (GetJCRehearsalEventQuery -Since $Since -InstallPath $Path)
            }
            $row.Status | Should -BeExactly 'Pass'
            $row.Check | Should -BeExactly 'Event Log entries'
            $row.Evidence | Should -BeLike 'event 3 at * in the Application log, source JumpCloudADISync, since *: The sync agent ended unexpectedly*; events naming this install folder: 3'
        }

        It 'fails with no event, and with an event 3 of another install (a production agent on the same server)' {
            $other = @([pscustomobject]@{ Id = 3; TimeCreated = $script:Since.AddSeconds(30); Message = 'The sync agent ended unexpectedly. (log: C:\Program Files\JumpCloud\AD Integration\logs\service.log)' })
            $none = InModuleScope JumpCloudADI -Parameters @{ Since = $script:Since; Path = $script:InstallPath } {
                param($Since, $Path)
                GetJCRehearsalEventRow -Events @() -Query (GetJCRehearsalEventQuery -Since $Since -InstallPath $Path)
            }
            $foreign = InModuleScope JumpCloudADI -Parameters @{ Events = $other; Since = $script:Since; Path = $script:InstallPath } {
                param($Events, $Since, $Path)
                GetJCRehearsalEventRow -Events $Events -Query (GetJCRehearsalEventQuery -Since $Since -InstallPath $Path)
            }
            foreach ($row in @($none, $foreign)) {
                $row.Status | Should -BeExactly 'Fail'
                $row.Reason | Should -BeLike 'no event 3 (the agent ended unexpectedly) naming jcadi-rehearsal-agent-Ab12Cd\AD Integration in the Application log, source JumpCloudADISync, since *'
            }
            $foreign.Evidence | Should -BeExactly '1 event(s) of the source, 0 naming this install folder (ids: )'
        }
    }
}

Describe 'The rehearsal host requests (InvokeJCRehearsalHost) with the Windows layer mocked' {
    BeforeEach {
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[string]
        $script:FactsQueue = New-Object -TypeName System.Collections.Generic.Queue[object]
        $script:SourceExists = $false
        $script:ServiceGone = $true
        Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
        Mock -ModuleName JumpCloudADI TestJCEventSource { $script:SourceExists }
        Mock -ModuleName JumpCloudADI UnregisterJCEventSource { $script:Calls.Add(('UnregisterJCEventSource {0}' -f $Source)) }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            $script:Calls.Add(('service {0} {1}' -f $Action, $ServiceName))
            if ($Action -eq 'Start') {
                [pscustomobject]@{ Status = 'Running' }
            }
        }
        Mock -ModuleName JumpCloudADI GetJCRehearsalServiceFacts {
            if ($script:FactsQueue.Count -gt 0) {
                $facts = $script:FactsQueue.Dequeue()
            }
            else {
                $facts = New-Facts -State 'Stopped' -ServicePid 0 -EnginePid $null -WatchedAlive $false -Exists (-not $script:ServiceGone)
            }
            if ($WatchPid -gt 0) {
                $script:Calls.Add(('facts watch {0}' -f $WatchPid))
            }
            $facts
        }
        Mock -ModuleName JumpCloudADI StopJCRehearsalEngine { $script:Calls.Add(('kill {0}' -f $Id)) }
        Mock -ModuleName JumpCloudADI GetJCRehearsalEvent {
            $script:Calls.Add(('events {0} {1}' -f $Filter.LogName, $Filter.ProviderName))
            [pscustomobject]@{ Id = 3; TimeCreated = [datetime]::Now; Message = ('ended unexpectedly (log: {0}\logs\service.log)' -f $script:InstallPath) }
        }
        Mock -ModuleName JumpCloudADI InvokeJCEngine { $script:Calls.Add(('engine {0} {1}' -f $Command, $Parameters['installPath'])); [pscustomobject]@{ Status = 'Running' } }
        Mock -ModuleName JumpCloudADI Start-Sleep { }
        $script:State = @{ ServiceName = $script:Name; InstallPath = ''; Registered = $false; Started = $false; StartFacts = $null; StartError = ''; Since = [datetime]::Now; SourceCreated = $false; SourceRemoved = $false; Removed = $false }
        $script:Ask = {
            param([string] $Action, [hashtable] $Extra = @{})
            $request = [pscustomobject](@{ Name = 'rehearsal-host'; Action = $Action; ServiceName = $script:Name; InstallPath = $script:InstallPath } + $Extra)
            InModuleScope JumpCloudADI -Parameters @{ Request = $request; State = $script:State } { param($Request, $State) InvokeJCRehearsalHost -Request $Request -State $State }
        }
    }

    It 'Start registers and starts the rehearsal service, notes that it made the Event Log source, and answers with what runs' {
        $script:FactsQueue.Enqueue((New-Facts))
        $answer = & $script:Ask 'Start'
        $answer.Reply.ok | Should -BeTrue
        $answer.Reply.evidence | Should -BeExactly ('Running as {0}, service host process 100, engine process 200; agent Running' -f $script:Account)
        @($answer.Output).Count | Should -Be 0
        @($script:Calls) | Should -Be @(('service Register {0}' -f $script:Name), ('service Start {0}' -f $script:Name))
        $script:State.Registered | Should -BeTrue
        $script:State.Started | Should -BeTrue
        $script:State.SourceCreated | Should -BeTrue
        $script:State.InstallPath | Should -BeExactly $script:InstallPath
    }

    It 'Start answers ok = false with the reason when the service does not start, and the service still counts as registered (to be removed)' {
        $script:SourceExists = $true
        Mock -ModuleName JumpCloudADI InvokeJCAgentService { if ($Action -eq 'Start') { throw 'The agent did not report: Agent.ConnectKeyUsed' } }
        $answer = & $script:Ask 'Start'
        $answer.Reply.ok | Should -BeFalse
        $answer.Reply.reason | Should -BeExactly 'The agent did not report: Agent.ConnectKeyUsed'
        $script:State.Registered | Should -BeTrue
        $script:State.SourceCreated | Should -BeFalse -Because 'a production agent had registered the source already'
    }

    It 'refuses a request about any other service (the production one included), touching nothing' {
        $request = [pscustomobject]@{ Action = 'Remove'; ServiceName = 'JumpCloudADISync'; InstallPath = 'C:\Program Files\JumpCloud\AD Integration' }
        $answer = InModuleScope JumpCloudADI -Parameters @{ Request = $request; State = $script:State } { param($Request, $State) InvokeJCRehearsalHost -Request $Request -State $State }
        $answer.Reply.ok | Should -BeFalse
        $answer.Reply.reason | Should -BeLike '*"JumpCloudADISync", not this rehearsal*'
        $script:Calls.Count | Should -Be 0
    }

    It 'Check kills the engine, waits for the recovery restart, stops gracefully, reads the Event Log, then removes the service and the source it made' {
        $script:FactsQueue.Enqueue((New-Facts))                                          # Start
        $null = & $script:Ask 'Start'
        $script:Calls.Clear()
        $script:FactsQueue.Enqueue((New-Facts))                                          # before the kill
        $script:FactsQueue.Enqueue((New-Facts -State 'Stopped' -ServicePid 0 -EnginePid $null -ExitCode 1067))
        $script:FactsQueue.Enqueue((New-Facts -State 'StartPending' -ServicePid 300 -EnginePid $null))
        $script:FactsQueue.Enqueue((New-Facts -ServicePid 300 -EnginePid 400))           # restarted
        $script:FactsQueue.Enqueue((New-Facts -ServicePid 300 -EnginePid 400))           # before the stop
        $script:FactsQueue.Enqueue((New-Facts -State 'Stopped' -ServicePid 0 -EnginePid $null -WatchedAlive $false))
        $answer = & $script:Ask 'Check' @{ Blocked = $null }
        $rows = @($answer.Output)
        @($rows | ForEach-Object { '{0}: {1}' -f $_.Check, $_.Status }) | Should -Be @(
            'Service starts and stops: Pass'
            'Service restarted after its engine is killed: Pass'
            'Event Log entries: Pass'
        )
        $rows[1].Evidence | Should -BeLike '*states seen: Running > Stopped > StartPending > Running*'
        @($script:Calls) | Should -Be @(
            'kill 200'
            ('engine agent-wait {0}' -f $script:InstallPath)
            ('service Stop {0}' -f $script:Name)
            'facts watch 400'
            'events Application JumpCloudADISync'
            ('service Stop {0}' -f $script:Name)
            ('service Unregister {0}' -f $script:Name)
            'UnregisterJCEventSource JumpCloudADISync'
        )
        $answer.Reply.ok | Should -BeTrue
        $answer.Reply.evidence | Should -BeExactly ('removed: service {0}; Event Log source JumpCloudADISync' -f $script:Name)
        $script:State.Removed | Should -BeTrue
    }

    It 'Check gives Fail rows when the service does not come back, and still removes it' {
        $script:FactsQueue.Enqueue((New-Facts))
        $null = & $script:Ask 'Start'
        $script:Calls.Clear()
        $script:FactsQueue.Enqueue((New-Facts))
        # Then Stopped for good (the default of the mock): no recovery actions.
        $answer = InModuleScope JumpCloudADI -Parameters @{ Request = [pscustomobject]@{ Action = 'Check'; ServiceName = $script:Name; InstallPath = $script:InstallPath }; State = $script:State } {
            param($Request, $State)
            InvokeJCRehearsalHost -Request $Request -State $State -RestartTimeoutSeconds 5
        }
        $rows = @($answer.Output)
        $rows[1].Status | Should -BeExactly 'Fail'
        $rows[1].Reason | Should -BeLike 'the service did not run again*'
        Should -Invoke -ModuleName JumpCloudADI Start-Sleep -Times 5 -Exactly
        $script:Calls | Should -Contain ('service Unregister {0}' -f $script:Name)
        $answer.Reply.ok | Should -BeTrue
    }

    It 'Check with the rows blocked (the agent never ran as the service) says Skipped with the reason, and removes the service' {
        $script:State.Registered = $true
        $answer = & $script:Ask 'Check' @{ Blocked = 'the agent is not running as the rehearsal service' }
        @($answer.Output | ForEach-Object { $_.Status }) | Should -Be @('Skipped', 'Skipped', 'Skipped')
        @($answer.Output | ForEach-Object { $_.Reason }) | Should -Be @('the agent is not running as the rehearsal service', 'the agent is not running as the rehearsal service', 'the agent is not running as the rehearsal service')
        @($script:Calls) | Should -Be @(('service Stop {0}' -f $script:Name), ('service Unregister {0}' -f $script:Name))
    }

    It 'lists what is left when the service cannot be deleted (marked for deletion)' {
        $script:State.Registered = $true
        $script:ServiceGone = $false
        $answer = & $script:Ask 'Remove'
        $answer.Reply.ok | Should -BeFalse
        $answer.Reply.reason | Should -BeLike ('service {0} (marked for deletion*' -f $script:Name)
        $script:State.Removed | Should -BeFalse
    }
}

Describe 'The rehearsal cleanup list' {
    It 'stops and deletes the service, then removes the Event Log source only when the rehearsal made it' {
        $list = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name } {
            param($Name)
            GetJCRehearsalCleanupList -State @{ ServiceName = $Name; Registered = $true; Removed = $false; SourceCreated = $true; SourceRemoved = $false }
        }
        @($list | ForEach-Object { '{0} {1}' -f $_.Action, $_.Target }) | Should -Be @("StopService $script:Name", "DeleteService $script:Name", 'RemoveEventSource JumpCloudADISync')
        $kept = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name } {
            param($Name)
            GetJCRehearsalCleanupList -State @{ ServiceName = $Name; Registered = $true; Removed = $false; SourceCreated = $false; SourceRemoved = $false }
        }
        @($kept | ForEach-Object { $_.Action }) | Should -Be @('StopService', 'DeleteService')
        $done = InModuleScope JumpCloudADI -Parameters @{ Name = $script:Name } {
            param($Name)
            GetJCRehearsalCleanupList -State @{ ServiceName = $Name; Registered = $true; Removed = $true; SourceCreated = $true; SourceRemoved = $true }
        }
        @($done).Count | Should -Be 0
    }
}
