BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Get-JCSyncAgent' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
            $local = [pscustomobject]@{ InstallPath = $Parameters['installPath']; Running = $true; Role = 'Primary' }
            $local.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SyncAgentStatus')
            $local
            if ($Parameters.Contains('jumpcloud')) {
                foreach ($id in 'a1', 'a2') {
                    $agent = [pscustomobject]@{ AgentId = $id; Health = 'Green' }
                    $agent.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SyncAgentInfo')
                    $agent
                }
            }
        }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService { [pscustomobject]@{ Manager = 'Systemd'; Name = 'JumpCloudADISync'; State = 'active' } } -ParameterFilter { $Action -eq 'Query' }
    }

    It 'returns this machine''s agent with the service manager''s view added' {
        $result = @(Get-JCSyncAgent -InstallPath $TestDrive)
        $result.Count | Should -Be 1
        $script:EngineCalls[0].Command | Should -BeExactly 'agent-status'
        @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('installPath')
        $result[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentStatus'
        $result[0].ServiceManager | Should -BeExactly 'Systemd'
        $result[0].ServiceState | Should -BeExactly 'active'
    }

    It 'adds every agent of the domain with the API key' {
        $apiKey = ConvertTo-SecureString -String 'api-key-value' -AsPlainText -Force
        $result = @(Get-JCSyncAgent -InstallPath $TestDrive -JumpCloudApiKey $apiKey -Region EU)
        $script:EngineCalls[0].Parameters['jumpcloud']['region'] | Should -BeExactly 'eu'
        $script:EngineCalls[0].Parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
        @($result | Where-Object { $_.PSObject.TypeNames[0] -eq 'JumpCloudADI.SyncAgentInfo' } | ForEach-Object { $_.AgentId }) | Should -Be @('a1', 'a2')
        ($result[1].PSObject.Properties.Name -contains 'ServiceManager') | Should -BeFalse
    }
}

Describe 'Get-JCSyncHistory' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
        }
    }

    It 'reads the install folder''s journal with the filters, times in UTC ISO form' {
        $since = [datetime]::new(2030, 1, 2, 3, 4, 5, [System.DateTimeKind]::Utc)
        Get-JCSyncHistory -InstallPath $TestDrive -User 'ann.lee' -Since $since -Until $since.AddHours(1) -Outcome Failed -Kind setPassword -Last 5
        $call = $script:EngineCalls[0]
        $call.Command | Should -BeExactly 'agent-history'
        @($call.Parameters.Keys) | Should -Be @('installPath', 'user', 'since', 'until', 'outcome', 'kind', 'last')
        $call.Parameters['since'] | Should -BeExactly '2030-01-02T03:04:05.000Z'
        $call.Parameters['until'] | Should -BeExactly '2030-01-02T04:04:05.000Z'
        $call.Parameters['outcome'] | Should -BeExactly 'failed'
        $call.Parameters['last'] | Should -Be 5
    }

    It 'filters a staging agent''s would-be operations (-Outcome Staged), which the default view shows by Outcome' {
        Get-JCSyncHistory -InstallPath $TestDrive -Outcome Staged
        $script:EngineCalls[0].Parameters['outcome'] | Should -BeExactly 'staged'
        $format = [xml](Get-Content -Raw -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'module/Formats/JumpCloudADI.Agent.Format.ps1xml'))
        $view = $format.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -eq 'JumpCloudADI.SyncHistoryEntry' } | Select-Object -First 1
        @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem.PropertyName) | Should -Contain 'Outcome'
    }

    It 'reads a given journal file, which must exist' {
        $journal = Join-Path -Path $TestDrive -ChildPath 'journal.jsonl'
        Set-Content -LiteralPath $journal -Value ''
        Get-JCSyncHistory -JournalPath $journal
        @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('journalFile')
        { Get-JCSyncHistory -JournalPath (Join-Path -Path $TestDrive -ChildPath 'missing.jsonl') } | Should -Throw -ErrorId 'JournalPath.NotFound,Get-JCSyncHistory'
    }
}
