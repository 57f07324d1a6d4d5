BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    function New-Check {
        param([int] $Step, [string] $Status)
        $record = [pscustomobject]@{ Step = $Step; Area = 'Sync'; Check = "check $Step"; Status = $Status; Reason = ''; Evidence = "evidence $Step"; Seconds = 0.1 }
        $record.PSObject.TypeNames.Insert(0, 'JumpCloudADI.RehearsalCheck')
        return $record
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Invoke-JCSyncRehearsal' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        $script:LeaveManifest = $false
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
            if ($Command -eq 'rehearsal') {
                if ($script:LeaveManifest) {
                    Set-Content -LiteralPath $Parameters['manifestFile'] -Value '{}'
                }
                New-Check -Step 1 -Status 'Pass'
                New-Check -Step 2 -Status 'Skipped'
                if ($null -ne $Result) {
                    $Result.Value = [pscustomobject]@{ exitCode = 0; summary = [pscustomobject]@{ scratchOU = 'OU=JumpCloudADI-Rehearsal-20261201-050000,DC=example,DC=com'; seconds = 12.5 } }
                }
            }
            elseif ($Command -eq 'rehearsal-cleanup') {
                Remove-Item -LiteralPath $Parameters['manifestFile'] -Force
                [pscustomobject]@{ Removed = @('OU=x'); Left = @() }
            }
        }
        $script:Splat = @{ Server = 'dc1.example.com'; Credential = (New-TestCredential -UserName 'EXAMPLE\Administrator'); Confirm = $false }
    }

    It 'sends the DC block, the defaults and a manifest file, and returns the checks, the host check and a summary' {
        $out = @(Invoke-JCSyncRehearsal @script:Splat)
        $call = $script:EngineCalls[0]
        $call.Command | Should -BeExactly 'rehearsal'
        $call.Parameters['dc']['host'] | Should -BeExactly 'dc1.example.com'
        $call.Parameters['dc']['bindDN'] | Should -BeExactly 'EXAMPLE\Administrator'
        $call.Parameters['dc']['bindPassword'] | Should -BeOfType ([System.Security.SecureString])
        $call.Parameters['largeGroupSize'] | Should -Be 1501
        $call.Parameters['changeTimeoutSeconds'] | Should -Be 90
        $call.Parameters['keep'] | Should -BeFalse
        $call.Parameters.Contains('parentDN') | Should -BeFalse
        $call.Parameters.Contains('serviceAccount') | Should -BeFalse
        $call.Parameters.Contains('windowsHost') | Should -BeFalse -Because 'off Windows there is no service to ask for'
        $call.Parameters['manifestFile'] | Should -Match 'jcadi-rehearsal-[0-9a-f]{32}\.json$'
        $out.Count | Should -Be 4
        $out[2].Check | Should -BeExactly 'PowerShell edition and version'
        $out[2].Step | Should -Be 3
        $out[2].Evidence | Should -BeLike ('PowerShell * {0} on *' -f $PSVersionTable.PSVersion)
        $out[3].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.RehearsalSummary'
        $out[3].Passed | Should -Be 2
        $out[3].Skipped | Should -Be 1
        $out[3].Failed | Should -Be 0
        $out[3].ScratchOU | Should -BeExactly 'OU=JumpCloudADI-Rehearsal-20261201-050000,DC=example,DC=com'
        $script:EngineCalls.Count | Should -Be 1 -Because 'no manifest was left, so no extra cleanup'
    }

    It 'puts the scratch OU beside -RootUserDN, or under -ParentDN in either form' {
        $null = Invoke-JCSyncRehearsal @script:Splat -RootUserDN 'OU=Corporate Users;OU=HQ;DC=example;DC=com'
        $script:EngineCalls[0].Parameters['parentDN'] | Should -BeExactly 'OU=HQ,DC=example,DC=com'
        $null = Invoke-JCSyncRehearsal @script:Splat -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -ParentDN 'OU=Labs;DC=example;DC=com'
        $script:EngineCalls[1].Parameters['parentDN'] | Should -BeExactly 'OU=Labs,DC=example,DC=com'
    }

    It 'refuses a -RootUserDN without a parent before running the engine' {
        { Invoke-JCSyncRehearsal @script:Splat -RootUserDN 'DC=com' } | Should -Throw -ErrorId 'Rehearsal.RootUserDNInvalid,Invoke-JCSyncRehearsal'
        $script:EngineCalls.Count | Should -Be 0
    }

    It 'sends the service account by its logon name, UPN or DOMAIN\name form' {
        foreach ($case in @(@('EXAMPLE\jcsync', 'jcsync'), @('jcsync@example.com', 'jcsync'), @('jcsync', 'jcsync'))) {
            $script:EngineCalls.Clear()
            $null = Invoke-JCSyncRehearsal @script:Splat -ServiceAccountCredential (New-TestCredential -UserName $case[0])
            $sa = $script:EngineCalls[0].Parameters['serviceAccount']
            $sa['name'] | Should -BeExactly $case[1]
            $sa['bindDN'] | Should -BeExactly $case[0]
            $sa['password'] | Should -BeOfType ([System.Security.SecureString])
        }
    }

    It 'runs rehearsal-cleanup on the manifest when the engine left one' {
        $script:LeaveManifest = $true
        $null = Invoke-JCSyncRehearsal @script:Splat -LargeGroupSize 10 -ChangeTimeoutSeconds 30
        $script:EngineCalls.Command | Should -Be @('rehearsal', 'rehearsal-cleanup')
        $script:EngineCalls[1].Parameters['manifestFile'] | Should -BeExactly $script:EngineCalls[0].Parameters['manifestFile']
        $script:EngineCalls[1].Parameters['dc']['host'] | Should -BeExactly 'dc1.example.com'
        $script:EngineCalls[0].Parameters['largeGroupSize'] | Should -Be 10
    }

    It 'writes the report with -ReportPath and names it in the summary' {
        $path = Join-Path -Path $TestDrive -ChildPath 'rehearsal.html'
        $summary = @(Invoke-JCSyncRehearsal @script:Splat -ReportPath $path)[-1]
        $summary.ReportPath | Should -Be $path
        $html = [System.IO.File]::ReadAllText($path)
        $html | Should -Match '<title>JumpCloudADI rehearsal on dc1.example.com</title>'
        @([regex]::Matches($html, '<tr class="row ')).Count | Should -Be 3
    }

    Context 'on Windows: the agent as the rehearsal service, which the engine asks the module for' {
        BeforeEach {
            $script:Calls = New-Object -TypeName System.Collections.Generic.List[string]
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            Mock -ModuleName JumpCloudADI FindJCEngine { 'C:\Program Files\WindowsPowerShell\Modules\JumpCloudADI\bin\jcadi-engine.exe' }
            Mock -ModuleName JumpCloudADI GetJCServiceHostFile { 'C:\Program Files\WindowsPowerShell\Modules\JumpCloudADI\bin\jcadi-service.exe' }
            Mock -ModuleName JumpCloudADI TestJCEventSource { $false }
            Mock -ModuleName JumpCloudADI UnregisterJCEventSource { $script:Calls.Add(('UnregisterJCEventSource {0}' -f $Source)) }
            Mock -ModuleName JumpCloudADI InvokeJCAgentService {
                $script:Calls.Add(('service {0} {1}' -f $Action, $ServiceName))
                if ($Action -eq 'Start') {
                    [pscustomobject]@{ Status = 'Running' }
                }
            }
            Mock -ModuleName JumpCloudADI GetJCRehearsalServiceFacts {
                [pscustomobject]@{ Exists = $false; State = 'Running'; StartName = 'NT SERVICE\x'; ServicePid = 1; ExitCode = 0; EnginePid = 2; WatchedAlive = $false }
            }
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
                $script:Calls.Add(('engine {0}' -f $Command))
                if ($Command -eq 'rehearsal') {
                    Set-Content -LiteralPath $Parameters['manifestFile'] -Value '{}'
                    $name = $Parameters['windowsHost']['serviceName']
                    $start = & $RequestHandler ([pscustomobject]@{ Name = 'rehearsal-host'; Action = 'Start'; ServiceName = $name; InstallPath = 'C:\T\jcadi-rehearsal-agent-x\AD Integration' }) $Cmdlet
                    $script:StartReply = $start.Reply
                    # With -Interrupt the caller's Select-Object -First 1 stops the pipeline here, as
                    # Ctrl+C does: the engine never gets further, the finally blocks run.
                    New-Check -Step 1 -Status 'Pass'
                    $script:Calls.Add('engine went on')
                    $check = & $RequestHandler ([pscustomobject]@{ Name = 'rehearsal-host'; Action = 'Check'; ServiceName = $name; InstallPath = 'C:\T\jcadi-rehearsal-agent-x\AD Integration'; Blocked = 'the agent is not running as the rehearsal service' }) $Cmdlet
                    $check.Output
                    New-Check -Step 2 -Status 'Pass'
                    Remove-Item -LiteralPath $Parameters['manifestFile']
                    $Result.Value = [pscustomobject]@{ exitCode = 0; summary = [pscustomobject]@{ scratchOU = 'OU=x'; seconds = 1 } }
                }
                elseif ($Command -eq 'rehearsal-cleanup') {
                    Remove-Item -LiteralPath $Parameters['manifestFile'] -Force
                    [pscustomobject]@{ Removed = @('OU=x'); Left = @() }
                }
            }
        }

        It 'sends the rehearsal service name and the service host, and numbers the module''s rows among the engine''s' {
            $out = @(Invoke-JCSyncRehearsal @script:Splat)
            $windowsHost = $script:EngineCalls[0].Parameters['windowsHost']
            $windowsHost['serviceName'] | Should -Match '^JumpCloudADISync-Rehearsal-[0-9]{8}-[0-9]{6}$'
            $windowsHost['serviceHostFile'] | Should -BeExactly 'C:\Program Files\WindowsPowerShell\Modules\JumpCloudADI\bin\jcadi-service.exe'
            $script:StartReply.ok | Should -BeTrue
            @($out | Select-Object -SkipLast 1 | ForEach-Object { '{0} {1} {2}' -f $_.Step, $_.Check, $_.Status }) | Should -Be @(
                '1 check 1 Pass'
                '2 Service starts and stops Skipped'
                '3 Service restarted after its engine is killed Skipped'
                '4 Event Log entries Skipped'
                '5 check 2 Pass'
                '6 PowerShell edition and version Pass'
            )
            $out[-1].Skipped | Should -Be 3
            @($script:Calls) | Should -Be @(
                'engine rehearsal'
                ('service Register {0}' -f $windowsHost['serviceName'])
                ('service Start {0}' -f $windowsHost['serviceName'])
                'engine went on'
                ('service Stop {0}' -f $windowsHost['serviceName'])
                ('service Unregister {0}' -f $windowsHost['serviceName'])
                'UnregisterJCEventSource JumpCloudADISync'
            )
        }

        It 'removes the service (and the Event Log source it made) after Ctrl+C, before the engine cleans up the folder it runs from' {
            # A pipeline stopped while the engine runs (Select-Object -First 1 stops it as Ctrl+C does,
            # through PipelineStoppedException): the cmdlet's finally removes what exists.
            $first = @(Invoke-JCSyncRehearsal @script:Splat | Select-Object -First 1)
            $first.Count | Should -Be 1
            $name = $script:EngineCalls[0].Parameters['windowsHost']['serviceName']
            @($script:Calls) | Should -Be @(
                'engine rehearsal'
                ('service Register {0}' -f $name)
                ('service Start {0}' -f $name)
                ('service Stop {0}' -f $name)
                ('service Unregister {0}' -f $name)
                'UnregisterJCEventSource JumpCloudADISync'
                'engine rehearsal-cleanup'
            )
        }
    }

    It 'does nothing with -WhatIf' {
        $out = Invoke-JCSyncRehearsal @script:Splat -WhatIf
        $out | Should -BeNullOrEmpty
        $script:EngineCalls.Count | Should -Be 0
    }
}
