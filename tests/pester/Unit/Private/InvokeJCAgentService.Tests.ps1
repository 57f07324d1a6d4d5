BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/ServiceStandIns.ps1')
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }
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
            @($unit -split "`n") | Should -Contain 'Environment="NODE_OPTIONS="'
            foreach ($line in @('Environment="MALLOC_ARENA_MAX=1"', 'Environment="MALLOC_MMAP_THRESHOLD_=65536"', 'Environment="MALLOC_TRIM_THRESHOLD_=131072"', 'Environment="MALLOC_TOP_PAD_=0"')) {
                @($unit -split "`n") | Should -Contain $line
            }
            $unit | Should -Match 'Restart=on-failure'
            $unit | Should -Match 'RestartPreventExitStatus=2'
            $unit | Should -Match 'WantedBy=multi-user.target'
            # Least privilege: the dedicated user, a read-only system but for its own folder.
            foreach ($line in @('User=jcadi', 'Group=jcadi', 'NoNewPrivileges=true', 'ProtectSystem=strict', 'ReadWritePaths="/opt/adi"', 'PrivateTmp=true', 'LimitCORE=0', 'ProtectHome=true', 'CapabilityBoundingSet=', 'UMask=0077')) {
                @($unit -split "`n") | Should -Contain $line
            }
            @($unit -split "`n" | Where-Object { $_ -like 'ReadWritePaths=*' }).Count | Should -Be 1
            # By full path, never resolved through PATH.
            $systemctl = InModuleScope JumpCloudADI { GetJCSystemProgram -Name 'systemctl' }
            $systemctl | Should -Match '^/(usr/)?s?bin/systemctl$'
            $script:Calls[0] | Should -BeExactly ('{0} daemon-reload' -f $systemctl)
            $script:Calls[1] | Should -BeExactly ('{0} enable jcadi-sync-agent.service' -f $systemctl)
            $script:Calls[2] | Should -BeExactly ('{0} start jcadi-sync-agent.service' -f $systemctl)
            $script:Calls[3] | Should -Match '^engine agent-wait installPath=/opt/adi timeoutSeconds=9 since=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
            InModuleScope JumpCloudADI {
                InvokeJCAgentService -Action Stop -InstallPath '/opt/adi'
                InvokeJCAgentService -Action Unregister -InstallPath '/opt/adi'
            }
            @($script:Calls[4..7]) | Should -Be @(('{0} stop jcadi-sync-agent.service' -f $systemctl), ('{0} disable jcadi-sync-agent.service' -f $systemctl), ('{0} daemon-reload' -f $systemctl))
            Test-Path -LiteralPath (Join-Path -Path $script:UnitFolder -ChildPath 'jcadi-sync-agent.service') | Should -BeFalse
        }
    }

    Context 'Windows (the service host)' {
        BeforeAll {
            # Stand-ins for the *-Service cmdlets, so that they can be mocked (removed again after this context).
            $script:ServiceStandIns = Add-ServiceStandIns
        }

        AfterAll {
            Remove-ServiceStandIns -Name $script:ServiceStandIns
        }

        BeforeEach {
            Mock -ModuleName JumpCloudADI GetJCServiceManager { 'Windows' }
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            Mock -ModuleName JumpCloudADI InvokeJCNativeCommand {
                $script:Calls.Add(('{0} {1}' -f $FilePath, ($ArgumentList -join ' ')))
            }
            Mock -ModuleName JumpCloudADI New-Service {
                $script:Calls.Add(('New-Service {0} {1} {2}' -f $Name, $BinaryPathName, $StartupType))
            }
            Mock -ModuleName JumpCloudADI SetJCServiceBinaryPath {
                $script:Calls.Add(('SetJCServiceBinaryPath {0} {1}' -f $Name, $BinaryPathName))
            }
            Mock -ModuleName JumpCloudADI SetJCServiceAccount {
                $script:Calls.Add(('SetJCServiceAccount {0} {1} [{2}]' -f $Name, $Change.StartName, $Change.StartPassword))
            }
            Mock -ModuleName JumpCloudADI RegisterJCEventSource {
                $script:Calls.Add(('RegisterJCEventSource {0}' -f $Source))
            }
            $script:Sc = 'C:\Windows\System32\sc.exe'
            Mock -ModuleName JumpCloudADI Start-Service {
                $script:Calls.Add(('Start-Service {0}' -f $Name))
            }
            Mock -ModuleName JumpCloudADI Stop-Service {
                $script:Calls.Add(('Stop-Service {0}' -f $Name))
            }
            $script:InstallPath = 'C:\Program Files\JumpCloud\AD Integration\'
            # Path.Combine as the module does it (on Windows: ...\AD Integration\jcadi-service.exe).
            $script:HostBinaryPath = '"{0}"' -f [System.IO.Path]::Combine($script:InstallPath, 'jcadi-service.exe')
        }

        It 'registers the quoted service host, not the engine, with restart actions that count a non-zero exit as a failure' {
            Mock -ModuleName JumpCloudADI Get-Service { $null }
            InModuleScope JumpCloudADI -Parameters @{ Path = $script:InstallPath } {
                param($Path)
                InvokeJCAgentService -Action Register -InstallPath $Path
            }
            @($script:Calls) | Should -Be @(
                ('New-Service JumpCloudADISync {0} Automatic' -f $script:HostBinaryPath)
                'SetJCServiceAccount JumpCloudADISync NT SERVICE\JumpCloudADISync []'
                ('{0} sidtype JumpCloudADISync unrestricted' -f $script:Sc)
                ('{0} failure JumpCloudADISync reset= 86400 actions= restart/10000/restart/10000/restart/60000' -f $script:Sc)
                ('{0} failureflag JumpCloudADISync 1' -f $script:Sc)
                'RegisterJCEventSource JumpCloudADISync'
            )
            $script:HostBinaryPath | Should -Match '^"C:\\Program Files\\JumpCloud\\AD Integration\\[\\/]?jcadi-service\.exe"$'
            Should -Invoke -ModuleName JumpCloudADI New-Service -Times 1 -Exactly -ParameterFilter { $BinaryPathName -notmatch 'jcadi-engine' -and $BinaryPathName -notmatch ' run ' }
            Should -Invoke -ModuleName JumpCloudADI SetJCServiceBinaryPath -Times 0 -Exactly
        }

        It 'points an existing service (an older registration of the engine itself) at the host, and sets the failure actions again' {
            Mock -ModuleName JumpCloudADI Get-Service { [pscustomobject]@{ Name = 'JumpCloudADISync'; Status = 'Stopped' } }
            InModuleScope JumpCloudADI -Parameters @{ Path = $script:InstallPath } {
                param($Path)
                InvokeJCAgentService -Action Register -InstallPath $Path
            }
            # An upgrade from a LocalSystem registration: the account is moved over as well.
            @($script:Calls) | Should -Be @(
                ('SetJCServiceBinaryPath JumpCloudADISync {0}' -f $script:HostBinaryPath)
                'SetJCServiceAccount JumpCloudADISync NT SERVICE\JumpCloudADISync []'
                ('{0} sidtype JumpCloudADISync unrestricted' -f $script:Sc)
                ('{0} failure JumpCloudADISync reset= 86400 actions= restart/10000/restart/10000/restart/60000' -f $script:Sc)
                ('{0} failureflag JumpCloudADISync 1' -f $script:Sc)
                'RegisterJCEventSource JumpCloudADISync'
            )
            Should -Invoke -ModuleName JumpCloudADI New-Service -Times 0 -Exactly
        }

        It 'starts the service and waits for the agent; stops it; deletes it' {
            Mock -ModuleName JumpCloudADI Get-Service { [pscustomobject]@{ Name = 'JumpCloudADISync'; Status = 'Running' } }
            InModuleScope JumpCloudADI -Parameters @{ Path = $script:InstallPath } {
                param($Path)
                InvokeJCAgentService -Action Start -InstallPath $Path -TimeoutSeconds 9
                InvokeJCAgentService -Action Stop -InstallPath $Path
                InvokeJCAgentService -Action Unregister -InstallPath $Path
                (InvokeJCAgentService -Action Query -InstallPath $Path).State | Should -BeExactly 'Running'
            }
            $script:Calls[0] | Should -BeExactly 'Start-Service JumpCloudADISync'
            $script:Calls[1] | Should -Match '^engine agent-wait installPath=C:\\Program Files\\JumpCloud\\AD Integration\\ timeoutSeconds=9 since='
            @($script:Calls[2..3]) | Should -Be @('Stop-Service JumpCloudADISync', ('{0} delete JumpCloudADISync' -f $script:Sc))
        }

        It 'installs the service host that ships next to the engine' {
            InModuleScope JumpCloudADI { GetJCServiceHostFile -EngineFile 'D:\Modules\JumpCloudADI\bin\jcadi-engine.exe' } | Should -BeExactly 'D:\Modules\JumpCloudADI\bin\jcadi-service.exe'
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $false }
            InModuleScope JumpCloudADI { GetJCServiceHostFile -EngineFile '/opt/module/bin/jcadi-engine' } | Should -BeNullOrEmpty
        }
    }

    Context 'least privilege, as data' {
        It 'registers the Windows service for its virtual account, with sc.exe by full path' {
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            $registration = InModuleScope JumpCloudADI { GetJCServiceRegistration -ServiceHostPath 'C:\Program Files\JumpCloud\AD Integration\jcadi-service.exe' }
            $registration.BinaryPathName | Should -BeExactly '"C:\Program Files\JumpCloud\AD Integration\jcadi-service.exe"'
            $registration.Account | Should -BeExactly 'NT SERVICE\JumpCloudADISync'
            # Win32_Service.Change: a virtual account has no password (empty, not $null).
            $registration.AccountChange.StartName | Should -BeExactly 'NT SERVICE\JumpCloudADISync'
            $registration.AccountChange.StartPassword | Should -BeExactly ''
            $registration.AccountChange.Keys.Count | Should -Be 2
            $registration.ScExe | Should -Match '^[A-Za-z]:\\Windows\\System32\\sc\.exe$'
            @($registration.ScArguments | ForEach-Object { $_ -join ' ' }) | Should -Be @(
                'sidtype JumpCloudADISync unrestricted'
                'failure JumpCloudADISync reset= 86400 actions= restart/10000/restart/10000/restart/60000'
                'failureflag JumpCloudADISync 1'
            )
        }

        It 'moves a LocalSystem service to the virtual account through Win32_Service.Change, and leaves one already moved' {
            $script:Changed = $null
            if ($null -eq (Get-Command -Name Get-CimInstance -ErrorAction SilentlyContinue)) {
                Set-Item -Path 'Function:\global:Get-CimInstance' -Value { param([string] $ClassName, [string] $Filter) }
                Set-Item -Path 'Function:\global:Invoke-CimMethod' -Value { param($InputObject, [string] $MethodName, [hashtable] $Arguments) }
                $script:CimStandIns = $true
            }
            try {
                Mock -ModuleName JumpCloudADI Get-CimInstance { [pscustomobject]@{ Name = 'JumpCloudADISync'; StartName = 'LocalSystem' } }
                Mock -ModuleName JumpCloudADI Invoke-CimMethod { $script:Changed = $Arguments; [pscustomobject]@{ ReturnValue = 0 } }
                InModuleScope JumpCloudADI { SetJCServiceAccount -Name 'JumpCloudADISync' -Change @{ StartName = 'NT SERVICE\JumpCloudADISync'; StartPassword = '' } }
                $script:Changed.StartName | Should -BeExactly 'NT SERVICE\JumpCloudADISync'
                Should -Invoke -ModuleName JumpCloudADI Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $MethodName -eq 'Change' }
                Mock -ModuleName JumpCloudADI Get-CimInstance { [pscustomobject]@{ Name = 'JumpCloudADISync'; StartName = 'NT SERVICE\JumpCloudADISync' } }
                InModuleScope JumpCloudADI { SetJCServiceAccount -Name 'JumpCloudADISync' -Change @{ StartName = 'NT SERVICE\JumpCloudADISync'; StartPassword = '' } }
                Should -Invoke -ModuleName JumpCloudADI Invoke-CimMethod -Times 1 -Exactly
                Mock -ModuleName JumpCloudADI Get-CimInstance { [pscustomobject]@{ Name = 'JumpCloudADISync'; StartName = 'LocalSystem' } }
                Mock -ModuleName JumpCloudADI Invoke-CimMethod { [pscustomobject]@{ ReturnValue = 21 } }
                { InModuleScope JumpCloudADI { SetJCServiceAccount -Name 'JumpCloudADISync' -Change @{ StartName = 'NT SERVICE\JumpCloudADISync'; StartPassword = '' } } } | Should -Throw -ExpectedMessage '*returned 21*'
            }
            finally {
                if ($script:CimStandIns) {
                    Remove-Item -Path 'Function:\global:Get-CimInstance', 'Function:\global:Invoke-CimMethod'
                }
            }
        }

        It 'creates the Linux agent user without home, shell or password' {
            InModuleScope JumpCloudADI { GetJCAgentUserArguments -Name 'jcadi' } | Should -Be @('--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', '--comment', 'JumpCloud AD Integration sync agent', 'jcadi')
        }

        It 'names every system program by full path' {
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            InModuleScope JumpCloudADI { GetJCSystemProgram -Name 'sc.exe' } | Should -Match '^[A-Za-z]:\\Windows\\System32\\sc\.exe$'
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $false }
            InModuleScope JumpCloudADI { GetJCSystemProgram -Name 'useradd' } | Should -Match '^/(usr/)?s?bin/useradd$'
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
