# Tests of the real bridge (the private InvokeJCEngine) against a fake engine: a /bin/sh script
# that records its argv, environment and stdin and answers with canned JSON lines.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/FakeEngine.ps1')
    $script:SkipFake = -not (Test-FakeEngineSupported)
    if ($script:SkipFake) {
        Write-Warning 'InvokeJCEngine tests skipped: the fake engine is a /bin/sh script (Linux/macOS only).'
    }

    $exitCases = @(
        @{ Code = 2; ErrorId = 'Engine.Exit2'; Category = 'InvalidArgument' }
        @{ Code = 3; ErrorId = 'Engine.Exit3'; Category = 'ConnectionError' }
        @{ Code = 4; ErrorId = 'Engine.Exit4'; Category = 'AuthenticationError' }
        @{ Code = 5; ErrorId = 'Engine.Exit5'; Category = 'LimitsExceeded' }
        @{ Code = 10; ErrorId = 'Engine.Crashed'; Category = 'InvalidResult' }
        @{ Code = 42; ErrorId = 'Engine.Crashed'; Category = 'InvalidResult' }
    )
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/FakeEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/MockEngine.ps1')
    # The real engine's exit codes (its describe answer): the bridge takes their meanings from there.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }
    $script:SavedEnginePath = $env:JCADI_ENGINE_PATH
    $script:SavedProgress = $ProgressPreference
    $global:ProgressPreference = 'SilentlyContinue'

    $script:ResultLine = @{ type = 'result'; exitCode = 0; summary = @{ ok = $true } }
}

AfterAll {
    $env:JCADI_ENGINE_PATH = $script:SavedEnginePath
    $global:ProgressPreference = $script:SavedProgress
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'InvokeJCEngine (the bridge) against a fake engine' -Skip:$SkipFake {

    Context 'request on stdin' {
        It 'writes { protocol: 1, command, params } as UTF-8 without BOM and passes only "exec" on argv' {
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $run = Invoke-Bridge -Command 'test-rootdn' -Parameters ([ordered]@{ rootUserDN = 'CN=Usérs;DC=example;DC=com'; domain = 'DC=example;DC=com' })
            $run.Terminating | Should -BeNullOrEmpty

            $bytes = [System.IO.File]::ReadAllBytes($fake.StdinPath)
            $bytes[0] | Should -Be 0x7B -Because 'the request starts with "{" (no byte order mark)'
            $request = [System.Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json
            $request.protocol | Should -Be 1
            $request.command | Should -BeExactly 'test-rootdn'
            $request.params.rootUserDN | Should -BeExactly 'CN=Usérs;DC=example;DC=com'
            $request.params.domain | Should -BeExactly 'DC=example;DC=com'
            @(Get-Content -LiteralPath $fake.ArgvPath) | Should -Be @('exec')
        }

        It 'sends {} as params when there are none' {
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $null = Invoke-Bridge -Command 'version'
            $text = [System.IO.File]::ReadAllText($fake.StdinPath)
            $text | Should -BeExactly '{"protocol":1,"command":"version","params":{}}'
        }

        It 'puts a SecureString secret in params only: not on argv, not in the environment' {
            $secret = 'Fake-S3cret!' + [guid]::NewGuid().ToString('N')
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $parameters = [ordered]@{
                dc = [ordered]@{
                    host         = 'dc1.example.com'
                    bindDN       = 'jcsync@example.com'
                    bindPassword = (ConvertTo-SecureString -String $secret -AsPlainText -Force)
                }
            }
            $run = Invoke-Bridge -Command 'ad-ping' -Parameters $parameters
            $run.Terminating | Should -BeNullOrEmpty

            $request = Get-Content -LiteralPath $fake.StdinPath -Raw | ConvertFrom-Json
            $request.params.dc.bindPassword | Should -BeExactly $secret
            $request.params.dc.bindDN | Should -BeExactly 'jcsync@example.com'
            Get-Content -LiteralPath $fake.ArgvPath -Raw | Should -Not -Match ([regex]::Escape($secret))
            Get-Content -LiteralPath $fake.EnvPath -Raw | Should -Not -Match ([regex]::Escape($secret))
            $parameters.dc.bindPassword | Should -BeOfType [System.Security.SecureString] -Because 'the caller''s parameters are not modified'
        }

        It 'gives the engine glibc''s malloc settings on Linux, as the agent gets them (ENGINE_LINUX_ENV)' {
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $null = Invoke-Bridge -Command 'version'
            $environment = @(Get-Content -LiteralPath $fake.EnvPath)
            foreach ($setting in @('MALLOC_ARENA_MAX=1', 'MALLOC_MMAP_THRESHOLD_=65536', 'MALLOC_TRIM_THRESHOLD_=131072', 'MALLOC_TOP_PAD_=0')) {
                $environment | Should -Contain $setting
            }
        }

        It 'keeps lists as JSON arrays (empty and one-item too), nested dictionaries, switches and enums' {
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $tagged = 'plain' | Add-Member -NotePropertyName PSPath -NotePropertyValue 'x:\file' -PassThru
            $parameters = @{
                empty  = @()
                one    = @('only')
                nested = @{ inner = @{ n = 5; flag = [switch]$true } }
                enum   = [System.DayOfWeek]::Monday
                tagged = $tagged
                none   = $null
            }
            $null = Invoke-Bridge -Command 'x' -Parameters $parameters
            $text = [System.IO.File]::ReadAllText($fake.StdinPath)
            $text | Should -Match '"empty":\[\]'
            $text | Should -Match '"one":\["only"\]'
            $text | Should -Match '"inner":\{'
            $text | Should -Match '"n":5'
            $text | Should -Match '"flag":true'
            $text | Should -Match '"enum":"Monday"'
            $text | Should -Match '"tagged":"plain"'
            $text | Should -Match '"none":null'
        }

        It 'refuses a PSCredential inside params (Engine.InvalidRequest) without starting the engine' {
            $fake = New-FakeEngine -Lines @($script:ResultLine)
            $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'u', (ConvertTo-SecureString -String 'p' -AsPlainText -Force)
            $run = Invoke-Bridge -Command 'x' -Parameters @{ cred = $credential }
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.InvalidRequest'
            Test-Path -LiteralPath $fake.PidPath | Should -BeFalse
        }
    }

    Context 'records, logs, progress and the result' {
        It 'turns records into objects with the record type as first type name, in order' {
            $null = New-FakeEngine -Lines @(
                @{ type = 'record'; recordType = 'JumpCloudADI.RootDNResult'; data = @{ RootUserDN = 'CN=Users;DC=example;DC=com'; IsValid = $true; Problems = @() } }
                @{ type = 'record'; recordType = 'JumpCloudADI.EngineInfo'; data = @{ Version = '1.2.3'; Path = '/é/x' } }
                $script:ResultLine
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating | Should -BeNullOrEmpty
            $run.Output.Count | Should -Be 2
            $run.Output[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.RootDNResult'
            $run.Output[0].IsValid | Should -BeTrue
            $run.Output[0].RootUserDN | Should -BeExactly 'CN=Users;DC=example;DC=com'
            $run.Output[1].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.EngineInfo'
            $run.Output[1].Path | Should -BeExactly '/é/x' -Because 'stdout is read as UTF-8'
        }

        It 'returns the result line through -Result, not on the pipeline' {
            $null = New-FakeEngine -Lines @(@{ type = 'result'; exitCode = 0; summary = @{ isValid = $true; count = 3 } })
            $run = Invoke-Bridge -Command 'x'
            $run.Output.Count | Should -Be 0
            $run.Result.exitCode | Should -Be 0
            $run.Result.summary.count | Should -Be 3
        }

        It 'maps log lines: warning to Write-Warning, debug/verbose/info to Write-Verbose' {
            $null = New-FakeEngine -Lines @(
                @{ type = 'log'; level = 'warning'; message = 'Plain LDAP is unencrypted.' }
                @{ type = 'log'; level = 'info'; message = 'info line' }
                @{ type = 'log'; level = 'verbose'; message = 'verbose line' }
                @{ type = 'log'; level = 'debug'; message = 'debug line' }
                $script:ResultLine
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Warnings | Should -Be @('Plain LDAP is unencrypted.')
            $run.Verbose | Should -Contain 'info line'
            $run.Verbose | Should -Contain 'verbose line'
            $run.Verbose | Should -Contain 'debug line'
            $run.Verbose | Should -Not -Contain 'Plain LDAP is unencrypted.'
            $run.Output.Count | Should -Be 0
        }

        It 'maps progress lines to Write-Progress (percent only when >= 0, -Completed) and ignores blank lines' {
            Mock -ModuleName JumpCloudADI Write-Progress { }
            $null = New-FakeEngine -Lines @(
                @{ type = 'progress'; activity = 'Testing'; status = 'Connecting'; percent = 10; id = 2; completed = $false }
                ''
                @{ type = 'progress'; activity = 'Testing'; status = ''; percent = -1; id = 2; completed = $false }
                @{ type = 'progress'; activity = 'Testing'; status = 'Done'; percent = 100; id = 2; completed = $true }
                $script:ResultLine
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating | Should -BeNullOrEmpty
            Should -Invoke Write-Progress -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Activity -eq 'Testing' -and $Status -eq 'Connecting' -and $PercentComplete -eq 10 -and $Id -eq 2 -and -not $Completed }
            Should -Invoke Write-Progress -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Activity -eq 'Testing' -and -not $PesterBoundParameters.ContainsKey('PercentComplete') -and -not $Completed }
            Should -Invoke Write-Progress -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Completed -and $Id -eq 2 }
        }

        It 'completes a progress bar the engine left open' {
            Mock -ModuleName JumpCloudADI Write-Progress { }
            $null = New-FakeEngine -Lines @(
                @{ type = 'progress'; activity = 'Syncing'; status = 'Users'; percent = 50; id = 7; completed = $false }
                $script:ResultLine
            )
            $null = Invoke-Bridge -Command 'x'
            Should -Invoke Write-Progress -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Completed -and $Id -eq 7 }
        }

        It 'runs with real progress output without failing' {
            $global:ProgressPreference = 'Continue'
            try {
                $null = New-FakeEngine -Lines @(
                    @{ type = 'progress'; activity = 'Testing'; status = 'Half'; percent = 50; id = 0; completed = $false }
                    @{ type = 'progress'; activity = 'Testing'; status = 'Done'; percent = 100; id = 0; completed = $true }
                    $script:ResultLine
                )
                $run = Invoke-Bridge -Command 'x'
            }
            finally {
                $global:ProgressPreference = 'SilentlyContinue'
            }
            $run.Terminating | Should -BeNullOrEmpty
        }
    }

    Context 'error lines' {
        It 'writes a non-fatal error as an ErrorRecord (id, category, target) and goes on' {
            $null = New-FakeEngine -ExitCode 1 -Lines @(
                @{ type = 'error'; id = 'Sync.UserInvalid'; category = 'InvalidData'; message = 'User jdoe has no last name.'; target = 'jdoe'; fatal = $false }
                @{ type = 'record'; recordType = 'Test.Item'; data = @{ Name = 'after' } }
                @{ type = 'result'; exitCode = 1; summary = @{ failed = 1 } }
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating | Should -BeNullOrEmpty
            $run.Output.Count | Should -Be 1
            $run.Errors.Count | Should -Be 1
            $run.Errors[0].FullyQualifiedErrorId | Should -Match '^Sync\.UserInvalid'
            $run.Errors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidData)
            $run.Errors[0].TargetObject | Should -BeExactly 'jdoe'
            $run.Errors[0].Exception.Message | Should -BeExactly 'User jdoe has no last name.'
        }

        It 'throws a fatal error after the engine exits, with its id, category and target' {
            $null = New-FakeEngine -ExitCode 4 -Lines @(
                @{ type = 'error'; id = 'AD.BindFailed'; category = 'AuthenticationError'; message = 'Bind refused for jcsync@example.com.'; target = 'dc1.example.com'; fatal = $true }
                @{ type = 'result'; exitCode = 4; summary = @{} }
            )
            $run = Invoke-Bridge -Command 'ad-ping'
            $run.Terminating | Should -Not -BeNullOrEmpty
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^AD\.BindFailed'
            $run.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
            $run.Terminating.TargetObject | Should -BeExactly 'dc1.example.com'
            $run.Terminating.Exception.Message | Should -BeExactly 'Bind refused for jcsync@example.com.'
        }

        It 'throws the last fatal error and writes the earlier one' {
            $null = New-FakeEngine -ExitCode 3 -Lines @(
                @{ type = 'error'; id = 'AD.Timeout'; category = 'OperationTimeout'; message = 'first'; target = $null; fatal = $true }
                @{ type = 'error'; id = 'AD.Unreachable'; category = 'ConnectionError'; message = 'second'; target = $null; fatal = $true }
                @{ type = 'result'; exitCode = 3; summary = @{} }
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^AD\.Unreachable'
            @($run.Errors | Where-Object { $_.FullyQualifiedErrorId -like 'AD.Timeout*' }).Count | Should -Be 1
        }

        It 'uses NotSpecified for an unknown category' {
            $null = New-FakeEngine -ExitCode 1 -Lines @(
                @{ type = 'error'; id = 'X.Odd'; category = 'NoSuchCategory'; message = 'odd'; target = $null; fatal = $false }
                @{ type = 'result'; exitCode = 1; summary = @{} }
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Errors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::NotSpecified)
        }
    }

    Context 'exit codes' {
        It 'exit code <Code> without an error line throws <ErrorId> (<Category>)' -ForEach $exitCases {
            $null = New-FakeEngine -ExitCode $Code -Stderr 'crash text: TypeError at engine.cjs:1' -Lines @(
                @{ type = 'result'; exitCode = $Code; summary = @{} }
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating | Should -Not -BeNullOrEmpty
            $run.Terminating.FullyQualifiedErrorId | Should -Match ('^' + [regex]::Escape($ErrorId))
            $run.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]$Category)
            if ($ErrorId -eq 'Engine.Crashed') {
                $run.Terminating.Exception.Message | Should -Match 'crash text: TypeError'
                $run.Terminating.Exception.Message | Should -Match "exit code $Code"
            }
            else {
                $described = @($script:EngineDescription.ExitCodes | Where-Object { $_.Code -eq $Code })
                $described.Count | Should -Be 1 -Because 'the engine describes every exit code it uses'
                $run.Terminating.Exception.Message | Should -Match ([regex]::Escape($described[0].Meaning))
                $described[0].Category | Should -BeExactly $Category
            }
        }

        It 'takes the meaning and category of an exit code from the engine''s describe answer' {
            Mock -ModuleName JumpCloudADI GetJCEngineDescription {
                [pscustomobject]@{
                    ExitCodes    = @([pscustomobject]@{ Name = 'Unreachable'; Code = 3; Meaning = 'described by this very engine'; Category = 'ResourceUnavailable' })
                    InstallFiles = $script:EngineDescription.InstallFiles
                }
            }
            $null = New-FakeEngine -ExitCode 3 -Lines @(@{ type = 'result'; exitCode = 3; summary = @{} })
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.Exit3'
            $run.Terminating.Exception.Message | Should -Match 'described by this very engine'
            $run.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ResourceUnavailable)
        }

        It 'still throws Engine.Exit<n> (category unspecified) when the engine cannot describe itself' {
            Mock -ModuleName JumpCloudADI GetJCEngineDescription { throw 'describe failed' }
            $null = New-FakeEngine -ExitCode 4 -Lines @(@{ type = 'result'; exitCode = 4; summary = @{} })
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.Exit4'
            $run.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::NotSpecified)
            $run.Terminating.Exception.Message | Should -Match 'the engine gave no meaning for it'
        }

        It 'exit code 0 is quiet' {
            $null = New-FakeEngine -ExitCode 0 -Lines @($script:ResultLine)
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating | Should -BeNullOrEmpty
            $run.Errors.Count | Should -Be 0
        }

        It 'an engine that exits 0 without a result line breaks the protocol' {
            $null = New-FakeEngine -ExitCode 0 -Lines @()
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
        }

        It 'an engine that dies without reading stdin gives Engine.Crashed with its stderr' {
            $null = New-FakeEngine -ExitCode 10 -NoReadStdin -Stderr 'cannot start: boom'
            $run = Invoke-Bridge -Command 'x' -Parameters @{ big = ('x' * 200000) }
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.Crashed'
            $run.Terminating.Exception.Message | Should -Match 'boom'
        }

        It 'a fatal error line wins over exit code 10, and keeps the crash text in its details' {
            $null = New-FakeEngine -ExitCode 10 -Stderr 'Error: at foo (engine.cjs:10)' -Lines @(
                @{ type = 'error'; id = 'Engine.Internal'; category = 'NotSpecified'; message = 'Internal error.'; target = $null; fatal = $true }
                @{ type = 'result'; exitCode = 10; summary = @{} }
            )
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.Internal'
            $run.Terminating.ErrorDetails.Message | Should -Match 'engine\.cjs:10'
        }
    }

    Context 'protocol errors' {
        It 'throws Engine.ProtocolError with the offending line for a non-JSON line, and stops the engine' {
            $fake = New-FakeEngine -Lines @('this is not json {') -StdoutScript 'exec sleep 30'
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $run = Invoke-Bridge -Command 'x'
            $watch.Stop()
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
            $run.Terminating.Exception.Message | Should -Match ([regex]::Escape('this is not json {'))
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'the bridge kills an engine that broke the protocol'
            $enginePid = [int](Get-Content -LiteralPath $fake.PidPath)
            Get-Process -Id $enginePid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'truncates a long offending line' {
            $null = New-FakeEngine -Lines @('x' * 10000)
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
            $run.Terminating.Exception.Message.Length | Should -BeLessThan 2000
        }

        It 'refuses an unknown protocol version' {
            $null = New-FakeEngine -Lines @(@{ v = 2; type = 'result'; exitCode = 0; summary = @{} })
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
            $run.Terminating.Exception.Message | Should -Match 'v = 2'
        }

        It 'refuses a line without "v", an unknown type, a JSON array and a record without recordType' -ForEach @(
            @{ Line = '{"type":"result","exitCode":0,"summary":{}}' }
            @{ Line = '{"v":1,"type":"telemetry"}' }
            @{ Line = '[1,2,3]' }
            @{ Line = '{"v":1,"type":"record","data":{"a":1}}' }
        ) {
            $null = New-FakeEngine -Lines @($Line, (ConvertTo-FakeLine -Message $script:ResultLine))
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
        }
    }

    Context 'finding and starting the engine' {
        BeforeAll {
            $script:Module = Get-Module -Name JumpCloudADI
            $script:SavedRoot = & $script:Module { $script:JCModuleRoot }
        }

        AfterEach {
            & $script:Module { param($root) $script:JCModuleRoot = $root } $script:SavedRoot
        }

        It 'throws Engine.NotFound naming the path of JCADI_ENGINE_PATH when it does not exist' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'nowhere/jcadi-engine'
            $env:JCADI_ENGINE_PATH = $missing
            $run = Invoke-Bridge -Command 'version'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.NotFound'
            $run.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ObjectNotFound)
            $run.Terminating.Exception.Message | Should -Match ([regex]::Escape($missing))
        }

        It 'without JCADI_ENGINE_PATH looks in build/ then bin/ under the module root, and names both when missing' {
            $env:JCADI_ENGINE_PATH = $null
            $root = Join-Path -Path $TestDrive -ChildPath 'layout'
            [void](New-Item -ItemType Directory -Path $root -Force)
            & $script:Module { param($root) $script:JCModuleRoot = $root } $root

            $run = Invoke-Bridge -Command 'version'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.NotFound'
            $run.Terminating.Exception.Message | Should -Match ([regex]::Escape((Join-Path -Path (Join-Path -Path $root -ChildPath 'build') -ChildPath 'jcadi-engine')))
            $run.Terminating.Exception.Message | Should -Match ([regex]::Escape((Join-Path -Path (Join-Path -Path $root -ChildPath 'bin') -ChildPath 'jcadi-engine')))
            $run.Terminating.Exception.Message | Should -Match 'npm run build'

            [void](New-Item -ItemType Directory -Path (Join-Path -Path $root -ChildPath 'bin') -Force)
            [void](New-Item -ItemType File -Path (Join-Path -Path (Join-Path -Path $root -ChildPath 'bin') -ChildPath 'jcadi-engine') -Force)
            & $script:Module { FindJCEngine } | Should -BeExactly (Join-Path -Path (Join-Path -Path $root -ChildPath 'bin') -ChildPath 'jcadi-engine')

            [void](New-Item -ItemType Directory -Path (Join-Path -Path $root -ChildPath 'build') -Force)
            [void](New-Item -ItemType File -Path (Join-Path -Path (Join-Path -Path $root -ChildPath 'build') -ChildPath 'jcadi-engine') -Force)
            & $script:Module { FindJCEngine } | Should -BeExactly (Join-Path -Path (Join-Path -Path $root -ChildPath 'build') -ChildPath 'jcadi-engine')
        }

        It 'throws Engine.StartFailed when the engine cannot be started' {
            $null = New-FakeEngine -NotExecutable -Lines @($script:ResultLine)
            $run = Invoke-Bridge -Command 'version'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.StartFailed'
        }
    }

    Context 'streaming and stopping' {
        It 'emits a record as soon as the engine writes it, not when the engine exits' {
            $record = ConvertTo-FakeLine -Message @{ type = 'record'; recordType = 'Test.Item'; data = @{ n = 1 } }
            $result = ConvertTo-FakeLine -Message $script:ResultLine
            $null = New-FakeEngine -StdoutScript ("printf '%s\n' '{0}'; sleep 3; printf '%s\n' '{1}'" -f $record, $result)
            $module = Get-Module -Name JumpCloudADI
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $firstSeen = $null
            & $module { InvokeJCEngine -Command 'x' } | ForEach-Object {
                if ($null -eq $firstSeen) {
                    $firstSeen = $watch.Elapsed.TotalSeconds
                }
            }
            $total = $watch.Elapsed.TotalSeconds
            $firstSeen | Should -Not -BeNullOrEmpty
            $total | Should -BeGreaterThan 2.5
            $firstSeen | Should -BeLessThan ($total - 2) -Because 'the record must be streamed while the engine still runs'
        }

        It 'stops the engine when the pipeline stops early (Select-Object -First 1)' {
            $record = ConvertTo-FakeLine -Message @{ type = 'record'; recordType = 'Test.Item'; data = @{ n = 1 } }
            $fake = New-FakeEngine -StdoutScript ("printf '%s\n' '{0}'; exec sleep 30" -f $record)
            $module = Get-Module -Name JumpCloudADI
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $first = & $module { InvokeJCEngine -Command 'x' } | Select-Object -First 1
            $watch.Stop()
            $first.n | Should -Be 1
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            $enginePid = [int](Get-Content -LiteralPath $fake.PidPath)
            Get-Process -Id $enginePid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Context 'large output' {
        It 'reads 5 MB on stdout and 5 MB on stderr without deadlock' {
            $fake = New-FakeEngine -Lines @()
            $blob = 'b' * 10000
            $utf8NoBom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
            $stdout = New-Object -TypeName System.Text.StringBuilder
            for ($i = 0; $i -lt 500; $i++) {
                [void]$stdout.Append((ConvertTo-FakeLine -Message ([ordered]@{ type = 'record'; recordType = 'Test.Big'; data = [ordered]@{ i = $i; blob = $blob } }))).Append("`n")
            }
            [void]$stdout.Append((ConvertTo-FakeLine -Message $script:ResultLine)).Append("`n")
            [System.IO.File]::WriteAllText((Join-Path -Path $fake.Folder -ChildPath 'stdout.jsonl'), $stdout.ToString(), $utf8NoBom)
            $stderrLine = ('e' * 99) + "`n"
            [System.IO.File]::WriteAllText((Join-Path -Path $fake.Folder -ChildPath 'stderr.txt'), ($stderrLine * 50000), $utf8NoBom)
            (Get-Item -LiteralPath (Join-Path -Path $fake.Folder -ChildPath 'stdout.jsonl')).Length | Should -BeGreaterThan 5000000
            (Get-Item -LiteralPath (Join-Path -Path $fake.Folder -ChildPath 'stderr.txt')).Length | Should -BeGreaterOrEqual 5000000

            # Run in a separate runspace so that a deadlock fails this test instead of hanging the run.
            $runner = [powershell]::Create()
            [void]$runner.AddScript({
                    param($manifest, $enginePath)
                    $env:JCADI_ENGINE_PATH = $enginePath
                    $ProgressPreference = 'SilentlyContinue'
                    $module = Import-Module -Name $manifest -Force -PassThru
                    $count = 0
                    $lastIndex = -1
                    & $module { InvokeJCEngine -Command 'big' } | ForEach-Object {
                        $count++
                        $lastIndex = $_.i
                    }
                    [pscustomobject]@{ Count = $count; LastIndex = $lastIndex }
                }).AddArgument($script:ManifestPath).AddArgument($fake.EnginePath)
            $async = $runner.BeginInvoke()
            $finished = $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(120))
            if (-not $finished) {
                if (Test-Path -LiteralPath $fake.PidPath) {
                    Stop-Process -Id ([int](Get-Content -LiteralPath $fake.PidPath)) -Force -ErrorAction SilentlyContinue
                }
                $runner.Stop()
            }
            try {
                $finished | Should -BeTrue -Because 'the bridge must not deadlock on large stdout and stderr'
                $output = $runner.EndInvoke($async)
                ($runner.Streams.Error | ForEach-Object { $_.ToString() }) -join '; ' | Should -BeNullOrEmpty
                $output[0].Count | Should -Be 500
                $output[0].LastIndex | Should -Be 499
            }
            finally {
                $runner.Dispose()
            }
        }

        It 'keeps the Engine.Crashed message short when stderr is huge' {
            $fake = New-FakeEngine -ExitCode 10 -Lines @()
            $utf8NoBom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
            [System.IO.File]::WriteAllText((Join-Path -Path $fake.Folder -ChildPath 'stderr.txt'), ('crash ' * 500000), $utf8NoBom)
            $run = Invoke-Bridge -Command 'x'
            $run.Terminating.FullyQualifiedErrorId | Should -Match '^Engine\.Crashed'
            $run.Terminating.Exception.Message.Length | Should -BeLessThan 6000
            $run.Terminating.Exception.Message | Should -Match 'more characters'
        }
    }
}
