# The bridge's requests from the engine (engine/PROTOCOL.md, "Requests to the module"): a record
# JumpCloudADI.EngineRequest names a reply file; InvokeJCEngine hands the request to -RequestHandler,
# passes its output on and writes the reply file the engine waits for. Against a fake engine that
# really waits for the file and echoes the reply back as a record.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/FakeEngine.ps1')
    $script:SkipFake = -not (Test-FakeEngineSupported)
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/FakeEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    $script:SavedEnginePath = $env:JCADI_ENGINE_PATH
    # The fake asks, waits up to 10 s for the reply file, and echoes the reply as a Test.Reply record.
    $script:AskingScript = @'
printf '{"v":1,"type":"record","recordType":"JumpCloudADI.EngineRequest","data":{"Name":"rehearsal-host","Action":"Start","Reply":"%s/host.reply.json","ServiceName":"JumpCloudADISync-Rehearsal-20261201-081500"}}\n' "$dir"
i=0
while [ ! -f "$dir/host.reply.json" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if [ -f "$dir/host.reply.json" ]; then printf '{"v":1,"type":"record","recordType":"Test.Reply","data":%s}\n' "$(cat "$dir/host.reply.json")"; fi
printf '{"v":1,"type":"result","exitCode":0,"summary":{}}\n'
'@
}

AfterAll {
    $env:JCADI_ENGINE_PATH = $script:SavedEnginePath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'InvokeJCEngine -RequestHandler' -Skip:$SkipFake {
    It 'hands the request to the handler, passes its output on and writes its reply where the engine waits' {
        $fake = New-FakeEngine -StdoutScript $script:AskingScript
        $module = Get-Module -Name JumpCloudADI
        $out = @(& $module {
                $handler = {
                    param($Request, $Caller)
                    $script:SeenRequest = $Request
                    $script:SeenCaller = $Caller
                    @{ Reply = @{ ok = $true; reason = ''; evidence = 'Running as NT SERVICE\x' }; Output = @([pscustomobject]@{ Row = 'from the module' }) }
                }
                InvokeJCEngine -Command 'rehearsal' -RequestHandler $handler
                $script:SeenRequest
            })
        $out[0].Row | Should -BeExactly 'from the module'
        $out[1].PSObject.TypeNames[0] | Should -BeExactly 'Test.Reply'
        $out[1].ok | Should -BeTrue
        $out[1].evidence | Should -BeExactly 'Running as NT SERVICE\x'
        $out[2].Action | Should -BeExactly 'Start'
        $out[2].ServiceName | Should -BeExactly 'JumpCloudADISync-Rehearsal-20261201-081500'
        @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'JumpCloudADI.EngineRequest' }).Count | Should -Be 0 -Because 'the request is not a result'
        Test-Path -LiteralPath (Join-Path -Path $fake.Folder -ChildPath 'host.reply.json.tmp') | Should -BeFalse
    }

    It 'answers ok = false without a handler, and with the message of a handler that failed, so the engine never waits for nothing' {
        $null = New-FakeEngine -StdoutScript $script:AskingScript
        $module = Get-Module -Name JumpCloudADI
        $plain = @(& $module { InvokeJCEngine -Command 'rehearsal' })
        $plain.Count | Should -Be 1
        $plain[0].ok | Should -BeFalse
        $plain[0].reason | Should -Match 'takes no requests from the engine \(rehearsal\)'
        $null = New-FakeEngine -StdoutScript $script:AskingScript
        $failed = @(& $module { InvokeJCEngine -Command 'rehearsal' -RequestHandler { throw 'sc.exe said no' } })
        $failed[0].ok | Should -BeFalse
        $failed[0].reason | Should -BeExactly 'sc.exe said no'
    }

    It 'refuses a request whose reply file is not an absolute *.reply.json (Engine.ProtocolError)' {
        $null = New-FakeEngine -StdoutScript "printf '%s\n' '{`"v`":1,`"type`":`"record`",`"recordType`":`"JumpCloudADI.EngineRequest`",`"data`":{`"Reply`":`"../x.ps1`"}}'; sleep 5"
        $module = Get-Module -Name JumpCloudADI
        $caught = $null
        try {
            & $module { InvokeJCEngine -Command 'rehearsal' -RequestHandler { @{ Reply = @{ ok = $true }; Output = @() } } }
        }
        catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Match '^Engine\.ProtocolError'
        $caught.Exception.Message | Should -Match 'reply file'
    }
}
