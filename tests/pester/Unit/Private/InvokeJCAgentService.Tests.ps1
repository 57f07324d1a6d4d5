BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'InvokeJCAgentService' {
    BeforeEach {
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[string]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:Calls.Add(('engine {0} {1}' -f $Command, (($Parameters.Keys | ForEach-Object { '{0}={1}' -f $_, $Parameters[$_] }) -join ' ')))
        }
    }

    Context 'no service manager (a plain background process)' {
        BeforeEach {
            Mock -ModuleName JumpCloudADI GetJCServiceManager { 'Process' }
        }

        It 'starts and stops the agent through the engine; nothing to register' {
            InModuleScope JumpCloudADI {
                InvokeJCAgentService -Action Register -InstallPath '/opt/adi'
                InvokeJCAgentService -Action Start -InstallPath '/opt/adi' -TimeoutSeconds 9
                InvokeJCAgentService -Action Stop -InstallPath '/opt/adi' -TimeoutSeconds 8
                InvokeJCAgentService -Action Unregister -InstallPath '/opt/adi'
                (InvokeJCAgentService -Action Query -InstallPath '/opt/adi').Manager | Should -BeExactly 'Process'
            }
            @($script:Calls) | Should -Be @('engine agent-start installPath=/opt/adi timeoutSeconds=9', 'engine agent-stop installPath=/opt/adi timeoutSeconds=8')
        }
    }

    Context 'systemd' {
        BeforeEach {
            Mock -ModuleName JumpCloudADI GetJCServiceManager { 'Systemd' }
            Mock -ModuleName JumpCloudADI InvokeJCNativeCommand {
                $script:Calls.Add(('{0} {1}' -f $FilePath, ($ArgumentList -join ' ')))
            }
            $script:UnitFolder = Join-Path -Path $TestDrive -ChildPath ([guid]::NewGuid().ToString('N'))
            [void](New-Item -ItemType Directory -Path $script:UnitFolder)
            InModuleScope JumpCloudADI -Parameters @{ Folder = $script:UnitFolder } { param($Folder) $script:JCSystemdUnitFolder = $Folder }
        }

        AfterEach {
            InModuleScope JumpCloudADI { $script:JCSystemdUnitFolder = '/etc/systemd/system' }
        }

        It 'writes the unit, enables, starts and waits for the agent, then removes it all' {
            InModuleScope JumpCloudADI {
                InvokeJCAgentService -Action Register -InstallPath '/opt/adi'
                InvokeJCAgentService -Action Start -InstallPath '/opt/adi' -TimeoutSeconds 9
            }
            $unit = Get-Content -LiteralPath (Join-Path -Path $script:UnitFolder -ChildPath 'jcadi-sync-agent.service') -Raw
            $unit | Should -Match ([regex]::Escape('ExecStart="/opt/adi/jcadi-engine" run --config "/opt/adi/agent.json"'))
            $unit | Should -Match 'KillSignal=SIGTERM'
            $unit | Should -Match 'Restart=on-failure'
            $unit | Should -Match 'RestartPreventExitStatus=2'
            $unit | Should -Match 'WantedBy=multi-user.target'
            $script:Calls[0] | Should -BeExactly 'systemctl daemon-reload'
            $script:Calls[1] | Should -BeExactly 'systemctl enable jcadi-sync-agent.service'
            $script:Calls[2] | Should -BeExactly 'systemctl start jcadi-sync-agent.service'
            $script:Calls[3] | Should -Match '^engine agent-wait installPath=/opt/adi timeoutSeconds=9 since=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
            InModuleScope JumpCloudADI {
                InvokeJCAgentService -Action Stop -InstallPath '/opt/adi'
                InvokeJCAgentService -Action Unregister -InstallPath '/opt/adi'
            }
            @($script:Calls[4..7]) | Should -Be @('systemctl stop jcadi-sync-agent.service', 'systemctl disable jcadi-sync-agent.service', 'systemctl daemon-reload')
            Test-Path -LiteralPath (Join-Path -Path $script:UnitFolder -ChildPath 'jcadi-sync-agent.service') | Should -BeFalse
        }
    }

    Context 'helpers' {
        It 'quotes the engine and the config on the service command line (spaces in the Windows default folder)' {
            InModuleScope JumpCloudADI {
                GetJCServiceCommandLine -EnginePath 'C:\Program Files\JumpCloud\AD Integration\jcadi-engine.exe' -ConfigFile 'C:\Program Files\JumpCloud\AD Integration\agent.json'
            } | Should -BeExactly '"C:\Program Files\JumpCloud\AD Integration\jcadi-engine.exe" run --config "C:\Program Files\JumpCloud\AD Integration\agent.json"'
        }

        It 'picks Windows, systemd, or a plain process' {
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            InModuleScope JumpCloudADI { GetJCServiceManager } | Should -BeExactly 'Windows'
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $false }
            Mock -ModuleName JumpCloudADI Test-Path { $false } -ParameterFilter { $LiteralPath -eq '/run/systemd/system' }
            InModuleScope JumpCloudADI { GetJCServiceManager } | Should -BeExactly 'Process'
        }

        It 'turns a failing service-manager program into Agent.ServiceFailed with its exit code' {
            if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
                $failing = @{ FilePath = 'cmd.exe'; ArgumentList = @('/c', 'exit 3') }
            }
            else {
                $failing = @{ FilePath = 'sh'; ArgumentList = @('-c', 'exit 3') }
            }
            $thrown = $null
            try {
                InModuleScope JumpCloudADI -Parameters @{ Failing = $failing } { param($Failing) InvokeJCNativeCommand @Failing }
            }
            catch {
                $thrown = $_
            }
            $thrown.FullyQualifiedErrorId | Should -BeLike 'Agent.ServiceFailed*'
            $thrown.Exception.Message | Should -Match 'exit code 3'
        }
    }
}
