# The fleet plumbing without remoting: what a -ComputerName call sends, to which computers, with
# which throttle and credential (Invoke-Command mocked: the one call InvokeJCRemoting makes), how
# answers and errors come back, the fleet view's flags and the rolling upgrade's order.
BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }
    $script:Secret = ConvertTo-SecureString -String 'api-key-value' -AsPlainText -Force
    $script:RemoteCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'EXAMPLE\admin', (ConvertTo-SecureString -String 'remoting-password' -AsPlainText -Force)
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'NewJCFleetRequest' {
    It 'sends the cmdlet and its parameters, not the console-side ones; names trimmed and deduplicated' {
        InModuleScope JumpCloudADI -Parameters @{ Secret = $script:Secret; Cred = $script:RemoteCredential } {
            param($Secret, $Cred)
            $bound = @{ InstallPath = 'D:\ADI'; JumpCloudApiKey = $Secret; KeepHistory = [switch]$true; ComputerName = @('x'); Credential = $Cred; ThrottleLimit = 4; WhatIf = [switch]$false; Verbose = [switch]$true }
            $request = NewJCFleetRequest -ComputerName ' dc1 ', 'DC1', 'dc2' -Command 'Uninstall-JCSyncAgent' -BoundParameters $bound -ThrottleLimit 4 -Credential $Cred -Confirmable
            $request.ComputerName | Should -Be @('dc1', 'dc2')
            $request.ThrottleLimit | Should -Be 4
            $request.Credential | Should -Be $Cred
            $request.ScriptBlock | Should -Be $script:JCFleetScript
            $request.ArgumentList[0] | Should -BeExactly 'Uninstall-JCSyncAgent'
            $sent = $request.ArgumentList[1]
            @($sent.Keys | Sort-Object) | Should -Be @('Confirm', 'InstallPath', 'JumpCloudApiKey', 'KeepHistory')
            $sent['JumpCloudApiKey'] | Should -BeOfType [System.Security.SecureString]
            $sent['KeepHistory'] | Should -BeExactly $true
            $sent['Confirm'] | Should -BeExactly $false
            $request.ArgumentList[2] | Should -BeNullOrEmpty
        }
    }

    It 'refuses an empty computer name' {
        InModuleScope JumpCloudADI {
            { NewJCFleetRequest -ComputerName 'dc1', ' ' -Command 'Get-JCSyncAgent' } | Should -Throw -ErrorId 'Remote.ComputerNameInvalid'
        }
    }
}

Describe 'InvokeJCRemoting' {
    It 'hands the request to Invoke-Command: computers, script block, arguments, throttle, and the credential only when given' {
        Mock -ModuleName JumpCloudADI Invoke-Command { [pscustomobject]@{ Bound = $PesterBoundParameters } }
        InModuleScope JumpCloudADI -Parameters @{ Cred = $script:RemoteCredential } {
            param($Cred)
            $request = NewJCFleetRequest -ComputerName 'dc1', 'dc2' -Command 'Get-JCSyncAgent' -ThrottleLimit 7 -Credential $Cred
            $bound = (InvokeJCRemoting -Request $request).Bound
            $bound['ComputerName'] | Should -Be @('dc1', 'dc2')
            $bound['ThrottleLimit'] | Should -Be 7
            $bound['Credential'] | Should -Be $Cred
            $bound['ScriptBlock'] | Should -Be $script:JCFleetScript
            $bound['ArgumentList'][0] | Should -BeExactly 'Get-JCSyncAgent'
            $bound['ErrorAction'] | Should -BeExactly 'Continue'
            $anonymous = (InvokeJCRemoting -Request (NewJCFleetRequest -ComputerName 'dc1' -Command 'Get-JCSyncAgent')).Bound
            $anonymous.ContainsKey('Credential') | Should -BeFalse
            $anonymous['ThrottleLimit'] | Should -Be 32
        }
    }
}

Describe 'Agent cmdlets with -ComputerName (remoting mocked)' {
    BeforeEach {
        # What remoting gives back: deserialized objects with PSComputerName, and for dc2 the
        # transport error of a server that cannot be reached.
        Mock -ModuleName JumpCloudADI Invoke-Command {
            $global:JCFleetCall = $PesterBoundParameters
            foreach ($computer in $ComputerName) {
                if ($computer -eq 'dc2') {
                    $exception = New-Object -TypeName System.Management.Automation.Remoting.PSRemotingTransportException -ArgumentList '[dc2] Connecting to remote server dc2 failed with the following error message : WinRM cannot complete the operation.'
                    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'CannotConnect,PSSessionStateBroken', ([System.Management.Automation.ErrorCategory]::OpenError), $computer
                    Write-Error -ErrorRecord $record
                    continue
                }
                $object = [pscustomobject]@{ Installed = $true; Running = $true; Role = 'Standby'; PSComputerName = $computer; RunspaceId = [guid]::NewGuid() }
                $object.PSObject.TypeNames.Clear()
                $object.PSObject.TypeNames.Add('Deserialized.JumpCloudADI.SyncAgentStatus')
                $object.PSObject.TypeNames.Add('Deserialized.System.Management.Automation.PSCustomObject')
                $object
            }
        }
    }

    It 'pipes names in, fans out in one call with the throttle and credential, and keeps going past an unreachable server' {
        $results = @('dc1', 'dc2', 'dc3' | Get-JCSyncAgent -ThrottleLimit 5 -Credential $script:RemoteCredential -JumpCloudApiKey $script:Secret -JumpCloudUrl 'https://127.0.0.1:8443' -ErrorVariable failures -ErrorAction SilentlyContinue)
        Should -Invoke Invoke-Command -ModuleName JumpCloudADI -Times 1 -Exactly
        $global:JCFleetCall['ComputerName'] | Should -Be @('dc1', 'dc2', 'dc3')
        $global:JCFleetCall['ThrottleLimit'] | Should -Be 5
        $global:JCFleetCall['Credential'].UserName | Should -BeExactly 'EXAMPLE\admin'
        $sent = $global:JCFleetCall['ArgumentList'][1]
        $global:JCFleetCall['ArgumentList'][0] | Should -BeExactly 'Get-JCSyncAgent'
        @($sent.Keys | Sort-Object) | Should -Be @('JumpCloudApiKey', 'JumpCloudUrl')
        $sent['JumpCloudApiKey'] | Should -BeOfType [System.Security.SecureString]

        @($results | ForEach-Object { $_.ComputerName }) | Should -Be @('dc1', 'dc3')
        $results[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentStatus'
        $null -eq $results[0].PSObject.Properties['RunspaceId'] | Should -BeTrue
        # -ErrorVariable also holds remoting's own record of it; the cmdlet writes one error for dc2.
        $failures = @($failures | Where-Object { $_.FullyQualifiedErrorId -like 'Remote.*' })
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeExactly 'Remote.Unreachable,Get-JCSyncAgent'
        $failures[0].TargetObject | Should -BeExactly 'dc2'
        $failures[0].Exception.Message | Should -BeLike 'dc2: Cannot reach dc2 over PowerShell remoting: Connecting to remote server dc2 failed*'
    }

    It 'asks per computer before a change (-WhatIf sends nothing) and sends -Confirm:$false to the ones agreed' {
        Stop-JCSyncAgent -ComputerName dc1, dc3 -WhatIf
        Should -Invoke Invoke-Command -ModuleName JumpCloudADI -Times 0 -Exactly
        $null = Set-JCSyncAgent -ComputerName dc1 -LogLevel Verbose -Confirm:$false
        $global:JCFleetCall['ArgumentList'][0] | Should -BeExactly 'Set-JCSyncAgent'
        $global:JCFleetCall['ArgumentList'][1]['LogLevel'] | Should -BeExactly 'Verbose'
        $global:JCFleetCall['ArgumentList'][1]['Confirm'] | Should -BeExactly $false
    }

    It 'Get-JCSyncHistory and Start-/Uninstall-JCSyncAgent take -ComputerName too' {
        $null = Get-JCSyncHistory -ComputerName dc1 -User ann.lee -Last 5
        $global:JCFleetCall['ArgumentList'][0] | Should -BeExactly 'Get-JCSyncHistory'
        @($global:JCFleetCall['ArgumentList'][1].Keys | Sort-Object) | Should -Be @('Last', 'User')
        $null = Start-JCSyncAgent -ComputerName dc1 -Confirm:$false
        $global:JCFleetCall['ArgumentList'][0] | Should -BeExactly 'Start-JCSyncAgent'
        $null = Uninstall-JCSyncAgent -ComputerName dc1 -KeepHistory -Confirm:$false
        $global:JCFleetCall['ArgumentList'][1]['KeepHistory'] | Should -BeExactly $true
    }

    It 'a piped Get-JCSyncAgent result still means this machine (its InstallPath), not a computer' {
        Mock -ModuleName JumpCloudADI InvokeJCAgentService { [pscustomobject]@{ Action = $Action; InstallPath = $InstallPath } }
        $result = [pscustomobject]@{ InstallPath = $TestDrive; ComputerName = 'somehost' } | Start-JCSyncAgent -Confirm:$false
        $result.Action | Should -BeExactly 'Start'
        Should -Invoke Invoke-Command -ModuleName JumpCloudADI -Times 0 -Exactly
    }
}

Describe 'MergeJCFleetView' {
    It 'joins by agent id and flags silent, stopped, old, orphaned, unknown and unreachable agents' {
        InModuleScope JumpCloudADI {
            $domain = [pscustomobject]@{
                Domain       = 'DC=example;DC=com'
                PrimaryAgent = 'a1'
                Agents       = @(
                    [pscustomobject]@{ Id = 'a1'; Hostname = 'DC1'; State = 'active'; ContactAt = '2026-01-01T00:00:00Z'; Version = '0.2.0' }
                    [pscustomobject]@{ Id = 'a2'; Hostname = 'DC2'; State = 'inactive'; ContactAt = '2025-12-01T00:00:00Z'; Version = '0.1.0' }
                    [pscustomobject]@{ Id = 'a3'; Hostname = 'DC9'; State = 'inactive'; ContactAt = $null; Version = '0.2.0' }
                )
            }
            $status = @(
                [pscustomobject]@{ ComputerName = 'dc1'; Installed = $true; AgentId = 'a1'; Running = $true; Connected = $true; Role = 'Primary'; Version = '0.2.0' }
                [pscustomobject]@{ ComputerName = 'dc2'; Installed = $true; AgentId = 'a2'; Running = $false; Connected = $false; Role = 'Unknown'; Version = '0.1.0' }
                [pscustomobject]@{ ComputerName = 'dc4'; Installed = $true; AgentId = 'zz'; Running = $true; Connected = $false; Role = 'Unknown'; Version = '0.2.0' }
            )
            $rows = @(MergeJCFleetView -Domain $domain -Status $status -Unreachable 'dc5' -ModuleVersion '0.2.0')
            $flags = @{}
            foreach ($row in $rows) {
                $flags[[string]$row.ComputerName + '/' + [string]$row.AgentId] = (@($row.Flags) -join ',')
            }
            $flags['dc1/a1'] | Should -BeExactly ''
            $flags['dc2/a2'] | Should -BeExactly 'NotHeardFrom,NotRunning,VersionBehind'
            $flags['/a3'] | Should -BeExactly 'NotHeardFrom,NoServer'
            $flags['dc4/zz'] | Should -BeExactly 'UnknownToJumpCloud'
            $flags['dc5/'] | Should -BeExactly 'Unreachable'
            @($rows | Where-Object { $_.Primary } | ForEach-Object { $_.ComputerName }) | Should -Be @('dc1')
            $rows[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncFleetMember'

            $domain.PrimaryAgent = 'a2'
            @(MergeJCFleetView -Domain $domain -Status $status -ModuleVersion '0.2.0' | Where-Object { $_.Flags -notcontains 'NoPrimary' }) | Should -BeNullOrEmpty
        }
    }
}

Describe 'GetJCUpgradeOrder' {
    It 'puts the standbys first in the order given and the primary last' {
        InModuleScope JumpCloudADI {
            $order = @(GetJCUpgradeOrder -Status @(
                    [pscustomobject]@{ ComputerName = 'dc1'; Role = 'Primary' }
                    [pscustomobject]@{ ComputerName = 'dc3'; Role = 'Standby' }
                    [pscustomobject]@{ ComputerName = 'dc2'; Role = 'Standby' }
                ))
            @($order | ForEach-Object { '{0}:{1}/{2}' -f $_.ComputerName, $_.Step, $_.Of }) | Should -Be @('dc3:1/3', 'dc2:2/3', 'dc1:3/3')
        }
    }
}
