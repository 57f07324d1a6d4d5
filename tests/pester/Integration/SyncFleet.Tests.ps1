# The fleet cmdlets end to end with the local computer adapter: three sync agents installed in
# separate folders of this machine (each its own agent record, process and pid file) stand for
# three servers srv1, srv2, srv3; a fourth name, srv-gone, is a server that cannot be reached.
# Everything else is real: the module, the engine (build/jcadi-engine), a JumpCloud sandbox
# process (agent timeout 3 s, heartbeat 1 s) and the test domain controller over LDAPS. Only
# Invoke-Command itself is not run (tests/pester/Unit/Private/Fleet.Tests.ps1 checks what it is
# given).

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'jcadi-engine'

    $script:SkipReason = $null
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $script:SkipReason = 'the agent process checks read /proc'
    }
    elseif (-not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)) {
        $script:SkipReason = "no test DC ($dcFolder/connection.json; start it with 'npm run testdc:start')"
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipReason = "no engine ($enginePath; build it with 'npm run build')"
    }
    elseif ($null -eq (Get-Command -Name node -CommandType Application -ErrorAction SilentlyContinue)) {
        $script:SkipReason = 'node is not on PATH (the fixture helper needs it)'
    }
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        # A platform limit, not a missing prerequisite: this suite drives Linux agent processes.
        Write-Warning "Fleet integration tests skipped: $script:SkipReason."
    }
    elseif ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "Fleet integration tests skipped: $script:SkipReason.")
    }
}

Describe 'The fleet from one console: three local agents act as three servers' -Tag 'Integration', 'TestDC' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/IntegrationFixture.ps1')
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/AnsweringHost.ps1')
        Initialize-IntegrationFixture -TestDrivePath $TestDrive
        Read-TestDcConnection
        $script:ServiceAccount = $script:AdminCredential
        Set-TestEnvironment -Values @{ JCADI_ENGINE_PATH = $script:RealEngine; JCADI_LOG_FILE = (Join-Path -Path $script:Work -ChildPath 'engine.log') }
        Start-TestSandbox -AgentTimeoutSeconds 3
        $null = New-TestOU -Prefix 'fleet-pester'
        $script:Tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $script:Domain = 'DC=example;DC=com'

        # The agent runs as its own account (jcadi when the tests run as root), which cannot enter
        # the sandbox's data folder (0700): its CA certificate is handed over in a readable place.
        $script:SandboxCaFile = Join-Path -Path $script:Work -ChildPath 'sandbox-ca.pem'
        Copy-Item -LiteralPath $script:Sandbox.caFile -Destination $script:SandboxCaFile
        $script:SplatJumpCloud = @{
            JumpCloudUrl                      = $script:Sandbox.url
            JumpCloudCertificateAuthorityFile = $script:SandboxCaFile
            JumpCloudApiKey                   = $script:ApiKey
        }
        $script:SplatInstall = @{
            ServerType               = 'DC'
            DomainController         = $script:Connection.host
            Port                     = [int]$script:Connection.port
            CertificateAuthorityFile = $script:Connection.caFile
            RootUserDN               = $script:OU.adiDN
            Domain                   = 'DC=example;DC=com'
            ServiceAccountCredential = $script:ServiceAccount
            StartTimeoutSeconds      = 30
        }
        $script:Folders = [ordered]@{}
        foreach ($name in 'srv1', 'srv2', 'srv3') {
            $script:Folders[$name] = Join-Path -Path $script:Work -ChildPath "$name/AD Integration"
        }
        $script:Installed = New-Object -TypeName System.Collections.Generic.List[string]

        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name $script:ManifestPath -Force
        & (Get-Module -Name JumpCloudADI) { param($Map) UseJCLocalComputer -Map $Map } $script:Folders

        $null = New-JCADIDomain -Domain $script:Domain @script:SplatJumpCloud -Confirm:$false
        $null = Invoke-SandboxAdmin -Calls @(
            @{ method = 'POST'; path = '/groups'; body = @{ name = "Fleet-$($script:Tag)"; bindToDomain = $script:Domain } }
            @{ method = 'POST'; path = '/users'; body = @{ username = "fl$($script:Tag).ann"; email = "fl$($script:Tag).ann@example.com"; firstname = 'Ann'; lastname = 'Lee'; groups = @("Fleet-$($script:Tag)") } }
        )
        # srv1 first: it becomes the primary; srv2 and srv3 stand by.
        foreach ($name in $script:Folders.Keys) {
            $key = New-JCSyncConnectKey -Domain $script:Domain @script:SplatJumpCloud
            $script:Installed.Add($script:Folders[$name])
            $null = $key | Install-JCSyncAgent -InstallPath $script:Folders[$name] @script:SplatInstall @script:SplatJumpCloud -Confirm:$false
        }
    }

    AfterAll {
        if ($null -ne (Get-Module -Name JumpCloudADI)) {
            & (Get-Module -Name JumpCloudADI) { UseJCLocalComputer -Map $null }
        }
        foreach ($path in $script:Installed) {
            if (Test-Path -LiteralPath (Join-Path -Path $path -ChildPath 'agent.json')) {
                Uninstall-JCSyncAgent -InstallPath $path -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
            }
        }
        Clear-IntegrationFixture
    }

    It 'asks all servers at once from the pipeline: results carry ComputerName, an unreachable one is one error and the rest succeed' {
        $statuses = @('srv1', 'srv2', 'srv-gone', 'srv3' | Get-JCSyncAgent -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($statuses | ForEach-Object { $_.ComputerName } | Sort-Object) | Should -Be @('srv1', 'srv2', 'srv3')
        foreach ($status in $statuses) {
            $status.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentStatus'
            $status.Running | Should -BeTrue
            $status.Connected | Should -BeTrue
            $status.InstallPath | Should -BeExactly $script:Folders[$status.ComputerName]
        }
        @($statuses | Where-Object { $_.Role -eq 'Primary' } | ForEach-Object { $_.ComputerName }) | Should -Be @('srv1')
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'Remote.Unreachable,Get-JCSyncAgent'
        $failures[0].TargetObject | Should -BeExactly 'srv-gone'
        $failures[0].Exception.Message | Should -Match '^srv-gone: Cannot reach srv-gone'

        $history = @(Get-JCSyncHistory -ComputerName srv1, srv2 -Kind createUser)
        @($history | Where-Object { $_.ComputerName -eq 'srv1' -and $_.Target -match "fl$($script:Tag)\.ann" }).Count | Should -Be 1
        @($history | Where-Object { $_.ComputerName -eq 'srv2' }).Count | Should -Be 0 -Because 'a standby applies nothing'
    }

    It 'Get-JCSyncFleet joins JumpCloud''s agents with the servers: srv1 primary, nothing to flag' {
        $rows = @(Get-JCSyncFleet -Domain $script:Domain -ComputerName srv1, srv2, srv3 @script:SplatJumpCloud)
        $rows.Count | Should -Be 3
        foreach ($row in $rows) {
            $row.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncFleetMember'
            $row.State | Should -BeExactly 'active'
            $row.Running | Should -BeTrue
            $row.Version | Should -Not -BeNullOrEmpty
            @($row.Flags) | Should -BeNullOrEmpty
        }
        $primary = @($rows | Where-Object { $_.Primary })
        $primary.Count | Should -Be 1
        $primary[0].ComputerName | Should -BeExactly 'srv1'
        $primary[0].Role | Should -BeExactly 'Primary'
        ($rows | Format-Table | Out-String) | Should -Match 'srv1'
    }

    It 'Update-JCSyncAgent -WhatIf lists the order: the standbys, then the primary, and changes nothing' {
        $before = @(Get-JCSyncAgent -ComputerName srv1, srv2, srv3 | Sort-Object ComputerName | ForEach-Object { $_.ProcessId })
        # ShouldProcess writes "What if:" to the host: run it on a host that keeps the lines.
        $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -RealEngine -ArgumentList $script:Folders -ScriptBlock {
            param($folders)
            & (Get-Module -Name JumpCloudADI) { param($Map) UseJCLocalComputer -Map $Map } $folders
            Update-JCSyncAgent -ComputerName srv1, srv2, srv3 -WhatIf
        }
        $run.Thrown | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 0
        $lines = @($run.HostLines | Where-Object { $_ -like 'What if:*' })
        $lines | Should -Be @(
            'What if: Performing the operation "Upgrade the JumpCloud sync agent (step 1 of 3, Standby)" on target "srv2".'
            'What if: Performing the operation "Upgrade the JumpCloud sync agent (step 2 of 3, Standby)" on target "srv3".'
            'What if: Performing the operation "Upgrade the JumpCloud sync agent (step 3 of 3, Primary)" on target "srv1".'
        )
        @(Get-JCSyncAgent -ComputerName srv1, srv2, srv3 | Sort-Object ComputerName | ForEach-Object { $_.ProcessId }) | Should -Be $before
    }

    It 'upgrades all three to a rebuilt engine one at a time: never longer without a primary than one failover, and a change made meanwhile reaches AD' {
        # The "rebuilt" engine: a new file the module now ships (a copy of the build), found through JCADI_ENGINE_PATH.
        $rebuilt = Join-Path -Path $script:Work -ChildPath 'rebuilt/jcadi-engine'
        $null = New-Item -ItemType Directory -Path (Split-Path -Path $rebuilt -Parent) -Force
        Copy-Item -LiteralPath $env:JCADI_ENGINE_PATH -Destination $rebuilt
        & chmod 755 $rebuilt
        $rebuiltHash = (Get-FileHash -LiteralPath $rebuilt -Algorithm SHA256).Hash
        $before = @{}
        Get-JCSyncAgent -ComputerName srv1, srv2, srv3 | ForEach-Object { $before[$_.ComputerName] = (Get-Item -LiteralPath (Join-Path -Path $_.InstallPath -ChildPath 'jcadi-engine')).LastWriteTimeUtc }

        $stopFile = Join-Path -Path $script:Work -ChildPath 'monitor.stop'
        $primary = Get-JCSyncAgent -ComputerName srv1
        $primary.Role | Should -BeExactly 'Primary'
        $monitorRequest = @{
            url = $script:Sandbox.url; caFile = $script:Sandbox.caFile; apiKeyFile = $script:Sandbox.apiKeyFile; domain = $script:Domain; stopFile = $stopFile
            primaryPidFile = (Join-Path -Path $script:Folders['srv1'] -ChildPath 'agent.pid'); primaryPid = $primary.ProcessId
            user = @{ username = "fl$($script:Tag).mid"; email = "fl$($script:Tag).mid@example.com"; firstname = 'Mid'; lastname = 'Upgrade'; groups = @("Fleet-$($script:Tag)") }
        }
        $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
        $startInfo.FileName = $script:Node
        $startInfo.Arguments = '"{0}"' -f (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/PrimaryMonitor.mjs')
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardInput = $true
        $startInfo.RedirectStandardOutput = $true
        $monitor = [System.Diagnostics.Process]::Start($startInfo)
        $monitor.StandardInput.Write((ConvertTo-Json -InputObject $monitorRequest -Depth 5 -Compress))
        $monitor.StandardInput.Close()
        $monitorOutput = $monitor.StandardOutput.ReadToEndAsync()
        $savedEngine = $env:JCADI_ENGINE_PATH
        try {
            Start-Sleep -Seconds 2
            $env:JCADI_ENGINE_PATH = $rebuilt
            $upgrades = @(Update-JCSyncAgent -ComputerName srv1, srv2, srv3 -HealthTimeoutSeconds 60 -Confirm:$false)
            Start-Sleep -Seconds 2
        }
        finally {
            $env:JCADI_ENGINE_PATH = $savedEngine
            Set-Content -LiteralPath $stopFile -Value 'stop'
            [void]$monitor.WaitForExit(30000)
        }
        $watch = $monitorOutput.Result | ConvertFrom-Json
        Write-Host ('    rolling upgrade: {0} samples, longest primary silence {1} ms, primaries {2}, change made {4} ms into the silence, steps {3} s' -f $watch.samples, $watch.maxSilenceMs, @($watch.primaries).Count, (@($upgrades | ForEach-Object { $_.Seconds }) -join ' / '), $watch.silenceAtChangeMs)

        @($upgrades | ForEach-Object { $_.ComputerName }) | Should -Be @('srv2', 'srv3', 'srv1')
        @($upgrades | ForEach-Object { $_.RoleBefore }) | Should -Be @('Standby', 'Standby', 'Primary')
        foreach ($upgrade in $upgrades) {
            $upgrade.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentUpgrade'
            $upgrade.ProcessIdAfter | Should -Not -Be $upgrade.ProcessIdBefore -Because "$($upgrade.ComputerName)'s agent was restarted"
            $engine = Join-Path -Path $script:Folders[$upgrade.ComputerName] -ChildPath 'jcadi-engine'
            (Get-FileHash -LiteralPath $engine -Algorithm SHA256).Hash | Should -BeExactly $rebuiltHash
            (Get-Item -LiteralPath $engine).LastWriteTimeUtc | Should -BeGreaterThan $before[$upgrade.ComputerName]
        }

        # One failover at most: the agent timeout (3 s) plus a heartbeat interval (1 s), and the
        # 200 ms sampling. (srv1 back within the timeout keeps the role; later, a standby takes it.)
        $watch.noPrimarySamples | Should -Be 0
        $watch.samples | Should -BeGreaterThan 20
        $watch.maxSilenceMs | Should -BeLessOrEqual 5000
        $watch.changeMadeAt | Should -Not -BeNullOrEmpty
        Wait-Until -What 'the user created during the upgrade in AD' -TimeoutSeconds 60 -Condition {
            @((Invoke-SyncFixture -Action 'ou-read' -Request @{ connectionFile = $script:ConnectionFile; dn = $script:OU.dn }).users | Where-Object { $_.sAMAccountName -eq "fl$($script:Tag).mid" }).Count -eq 1
        }
        $fleet = @(Get-JCSyncFleet -Domain $script:Domain -ComputerName srv1, srv2, srv3 @script:SplatJumpCloud)
        @($fleet | Where-Object { $_.Primary }).Count | Should -Be 1
        @($fleet | Where-Object { $_.NeedsAttention }) | Should -BeNullOrEmpty
    }

    It 'flags an agent that was killed, and removes the record of a dead agent but not the domain''s last active one' {
        $victim = Get-JCSyncAgent -ComputerName srv3
        Stop-Process -Id $victim.ProcessId -Force
        Wait-Until -What 'JumpCloud to see srv3 silent' -TimeoutSeconds 30 -Condition {
            @(Get-JCADIDomain -Domain $script:Domain @script:SplatJumpCloud).Agents | Where-Object { $_.Id -eq $victim.AgentId -and $_.State -eq 'inactive' }
        }
        $rows = @(Get-JCSyncFleet -Domain $script:Domain -ComputerName srv1, srv2, srv3, srv-gone @script:SplatJumpCloud -ErrorVariable failures -ErrorAction SilentlyContinue)
        $dead = @($rows | Where-Object { $_.ComputerName -eq 'srv3' })[0]
        @($dead.Flags) | Should -Contain 'NotRunning'
        @($dead.Flags) | Should -Contain 'NotHeardFrom'
        $dead.NeedsAttention | Should -BeTrue
        @($rows | Where-Object { $_.ComputerName -in 'srv1', 'srv2' -and $_.NeedsAttention }) | Should -BeNullOrEmpty
        @(@($rows | Where-Object { $_.ComputerName -eq 'srv-gone' })[0].Flags) | Should -Be @('Unreachable')
        @($failures).Count | Should -Be 1

        # srv3's server is "gone": its record goes; asked without srv3, the fleet no longer lists it.
        $removed = $dead | Remove-JCSyncAgentRecord @script:SplatJumpCloud -Confirm:$false
        $removed.Removed | Should -BeTrue
        $removed.State | Should -BeExactly 'inactive'
        @(Get-JCADIDomain -Domain $script:Domain @script:SplatJumpCloud).Agents.Count | Should -Be 2
        # The server still runs an agent JumpCloud no longer knows.
        $orphan = @(Get-JCSyncFleet -Domain $script:Domain -ComputerName srv3 @script:SplatJumpCloud | Where-Object { $_.ComputerName -eq 'srv3' })[0]
        @($orphan.Flags) | Should -Contain 'UnknownToJumpCloud'

        # Stop srv2: srv1 is the last active agent, and its record is refused without -Force.
        $null = Stop-JCSyncAgent -ComputerName srv2 -Confirm:$false
        $last = Get-JCSyncAgent -ComputerName srv1
        Wait-Until -What 'JumpCloud to see srv2 silent' -TimeoutSeconds 30 -Condition {
            @(@(Get-JCADIDomain -Domain $script:Domain @script:SplatJumpCloud).Agents | Where-Object { $_.State -eq 'active' }).Count -eq 1
        }
        { Remove-JCSyncAgentRecord -Domain $script:Domain -AgentId $last.AgentId @script:SplatJumpCloud -Confirm:$false } | Should -Throw -ErrorId 'Agent.LastActiveAgent,Remove-JCSyncAgentRecord'
        @(Get-JCADIDomain -Domain $script:Domain @script:SplatJumpCloud).Agents.Count | Should -Be 2
    }
}
