# What the integration suites that run the real engine against the JumpCloud sandbox (and the
# test DC) share: where things are, the test DC's connection, the sandbox process, the calls to
# SyncFixture.mjs (sandbox admin surface, throw-away OUs), an engine wrapper that records argv and
# environment, environment variables set for the suite, and the undoing of all of it.
#
# Dot-source it in BeforeAll (its functions and $script: variables then belong to the suite, as if
# written there) and call Initialize-IntegrationFixture first, Clear-IntegrationFixture in AfterAll.

function Initialize-IntegrationFixture {
    # $script:RepoRoot, ManifestPath, Work (TestDrive), RealEngine, Node, FixtureScript.
    param([Parameter(Mandatory = $true)] [string] $TestDrivePath)
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    $script:Work = (Resolve-Path -LiteralPath $TestDrivePath).ProviderPath
    $script:RealEngine = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'jcadi-engine'
    $script:Node = (Get-Command -Name node -CommandType Application | Select-Object -First 1).Source
    $script:FixtureScript = Join-Path -Path $PSScriptRoot -ChildPath 'SyncFixture.mjs'
    $script:SavedEnv = @{}
    $script:SavedProgress = $global:ProgressPreference
    $global:ProgressPreference = 'SilentlyContinue'
    $script:SandboxProcess = $null
    $script:OU = $null
}

function Read-TestDcConnection {
    # $script:ConnectionFile, Connection, AdminPassword, AdminCredential (the DC's administrator).
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $script:ConnectionFile = Join-Path -Path $dcFolder -ChildPath 'connection.json'
    $script:Connection = Get-Content -LiteralPath $script:ConnectionFile -Raw | ConvertFrom-Json
    $script:AdminPassword = ([System.IO.File]::ReadAllText($script:Connection.adminPasswordFile)).Trim()
    $securePassword = ConvertTo-SecureString -String $script:AdminPassword -AsPlainText -Force
    $script:AdminCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $script:Connection.adminUPN, $securePassword
}

function Set-TestEnvironment {
    # Sets JCADI_* variables for the suite; the first value seen of each is put back by Clear-IntegrationFixture.
    param([Parameter(Mandatory = $true)] [hashtable] $Values)
    foreach ($name in $Values.Keys) {
        if (-not $script:SavedEnv.ContainsKey($name)) {
            $script:SavedEnv[$name] = [System.Environment]::GetEnvironmentVariable($name)
        }
        if ($null -eq $Values[$name]) {
            Remove-Item -LiteralPath "Env:$name" -ErrorAction SilentlyContinue
        }
        else {
            Set-Item -LiteralPath "Env:$name" -Value $Values[$name]
        }
    }
}

function New-RecordingEngine {
    # A wrapper that appends its argv (one line each) to argv.txt and its environment to env.txt
    # next to itself, then execs the real engine; returns its path (also $script:Wrapper).
    $folder = Join-Path -Path $script:Work -ChildPath 'engine'
    [void](New-Item -ItemType Directory -Path $folder -Force)
    $script:Wrapper = Join-Path -Path $folder -ChildPath 'jcadi-engine'
    $text = "#!/bin/sh`ndir=`$(dirname `"`$0`")`nfor a in `"`$@`"; do printf '%s\n' `"`$a`" >> `"`$dir/argv.txt`"; done`nenv >> `"`$dir/env.txt`"`nexec '$($script:RealEngine)' `"`$@`"`n"
    [System.IO.File]::WriteAllText($script:Wrapper, $text)
    & chmod 755 $script:Wrapper
    return $script:Wrapper
}

function Start-TestSandbox {
    # The sandbox as a child process with an empty org; one JSON line on stdout announces it.
    # $script:SandboxProcess, SandboxStderr, Sandbox (url, caFile, apiKeyFile), ApiKeyText, ApiKey.
    param([int] $AgentTimeoutSeconds = 0)
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $script:RealEngine
    $startInfo.Arguments = 'sandbox --data "{0}" --port 0 --seed empty' -f (Join-Path -Path $script:Work -ChildPath 'sandbox')
    if ($AgentTimeoutSeconds -gt 0) {
        $startInfo.Arguments += " --agent-timeout $AgentTimeoutSeconds"
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $script:SandboxProcess = [System.Diagnostics.Process]::Start($startInfo)
    $script:SandboxStderr = $script:SandboxProcess.StandardError.ReadToEndAsync()
    $announcement = $script:SandboxProcess.StandardOutput.ReadLineAsync()
    if (-not $announcement.Wait(30000) -or [string]::IsNullOrEmpty($announcement.Result)) {
        throw 'The sandbox did not announce itself within 30 s.'
    }
    $script:Sandbox = $announcement.Result | ConvertFrom-Json
    $script:ApiKeyText = ([System.IO.File]::ReadAllText($script:Sandbox.apiKeyFile)).Trim()
    $script:ApiKey = ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force
}

function Invoke-SyncFixture {
    param([string] $Action, [hashtable] $Request)
    $json = ConvertTo-Json -InputObject $Request -Depth 10 -Compress
    $output = @($json | & $script:Node $script:FixtureScript $Action 2>&1)
    if ($LASTEXITCODE -ne 0) {
        throw ('SyncFixture {0} failed: {1}' -f $Action, ($output -join ' '))
    }
    return ([string]($output | Where-Object { $_ -is [string] } | Select-Object -Last 1) | ConvertFrom-Json)
}

function Invoke-SandboxAdmin {
    param([object[]] $Calls)
    $request = @{ url = $script:Sandbox.url; caFile = $script:Sandbox.caFile; apiKeyFile = $script:Sandbox.apiKeyFile; calls = @($Calls) }
    return (Invoke-SyncFixture -Action 'admin' -Request $request)
}

function New-TestOU {
    # A throw-away OU under the test domain ($script:OU: dn), deleted by Clear-IntegrationFixture.
    param([Parameter(Mandatory = $true)] [string] $Prefix)
    $script:OU = Invoke-SyncFixture -Action 'ou-create' -Request @{ connectionFile = $script:ConnectionFile; prefix = $Prefix }
    return $script:OU
}

function Wait-Until {
    param([string] $What, [scriptblock] $Condition, [int] $TimeoutSeconds = 30)
    $deadline = [System.DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([System.DateTime]::UtcNow -gt $deadline) {
            throw "Timed out waiting for: $What"
        }
        Start-Sleep -Milliseconds 200
    }
}

function Clear-IntegrationFixture {
    # The OU, the sandbox, the environment, the progress preference and the module, in that order.
    if ($null -ne $script:OU) {
        $null = Invoke-SyncFixture -Action 'ou-delete' -Request @{ connectionFile = $script:ConnectionFile; dn = $script:OU.dn }
    }
    if ($null -ne $script:SandboxProcess) {
        if (-not $script:SandboxProcess.HasExited) {
            $script:SandboxProcess.Kill()
            [void]$script:SandboxProcess.WaitForExit(5000)
        }
        $script:SandboxProcess.Dispose()
    }
    foreach ($name in @($script:SavedEnv.Keys)) {
        # Not [Environment]::SetEnvironmentVariable: PowerShell would pass $null as '' and leave an
        # empty variable behind.
        if ($null -eq $script:SavedEnv[$name]) {
            Remove-Item -LiteralPath "Env:$name" -ErrorAction SilentlyContinue
        }
        else {
            Set-Item -LiteralPath "Env:$name" -Value $script:SavedEnv[$name]
        }
    }
    if ($null -ne $script:SavedProgress) {
        $global:ProgressPreference = $script:SavedProgress
    }
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}
