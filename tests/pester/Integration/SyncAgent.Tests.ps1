# The sync agent cmdlets end to end: the module → the REAL engine (build/jcadi-engine) → a
# JumpCloud sandbox process (started here, agent timeout 3 s) and the test domain controller
# (Samba AD over LDAPS, a random OU made here and removed afterwards). The agent runs as a
# background process (this host has no service manager). The sandbox's admin surface and the OU
# are driven by tests/pester/Helpers/SyncFixture.mjs (TLS verification on).

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
    if ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "Sync agent integration tests skipped: $script:SkipReason.")
    }
}

Describe 'Sync agent cmdlets against the sandbox and the test DC' -Tag 'Integration', 'TestDC' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/IntegrationFixture.ps1')
        Initialize-IntegrationFixture -TestDrivePath $TestDrive
        Read-TestDcConnection
        $script:ServiceAccount = $script:AdminCredential
        Set-TestEnvironment -Values @{ JCADI_ENGINE_PATH = $script:RealEngine; JCADI_LOG_FILE = (Join-Path -Path $script:Work -ChildPath 'engine.log') }
        Start-TestSandbox -AgentTimeoutSeconds 3
        $null = New-TestOU -Prefix 'jcadi-pester-agent'
        $script:Tag = [guid]::NewGuid().ToString('N').Substring(0, 6)

        # The agent runs as its own account (jcadi when the tests run as root), which cannot enter
        # the sandbox's data folder (0700): its CA certificate is handed over in a readable place,
        # as an administrator would put a CA file.
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
        $script:InstallPath = Join-Path -Path $script:Work -ChildPath 'JumpCloud/AD Integration'
        $script:Installed = New-Object -TypeName System.Collections.Generic.List[string]

        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name $script:ManifestPath -Force
    }

    AfterAll {
        foreach ($path in $script:Installed) {
            if (Test-Path -LiteralPath (Join-Path -Path $path -ChildPath 'agent.json')) {
                Uninstall-JCSyncAgent -InstallPath $path -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
            }
        }
        Clear-IntegrationFixture
    }

    It 'New-JCADIDomain registers the ADI domain; Get-JCADIDomain lists it; a malformed name is refused' {
        $domain = New-JCADIDomain -Domain 'DC=example;DC=com' @script:SplatJumpCloud -Confirm:$false
        $domain.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ADIDomain'
        $domain.UseCase | Should -BeExactly 'JCASAUTHORITY'
        @(Get-JCADIDomain @script:SplatJumpCloud | ForEach-Object { $_.Domain }) | Should -Be @('DC=example;DC=com')
        { New-JCADIDomain -Domain 'DC=example,DC=com' @script:SplatJumpCloud -Confirm:$false } | Should -Throw -ErrorId 'ADIDomain.Invalid,New-JCADIDomain'
        $null = Invoke-SandboxAdmin -Calls @(
            @{ method = 'POST'; path = '/groups'; body = @{ name = "PS-Agent-$($script:Tag)"; bindToDomain = 'DC=example;DC=com' } }
            @{ method = 'POST'; path = '/users'; body = @{ username = "pa$($script:Tag).ann"; email = "pa$($script:Tag).ann@example.com"; firstname = 'Ann'; lastname = 'Lee'; groups = @("PS-Agent-$($script:Tag)") } }
        )
    }

    It 'Install-JCSyncAgent installs with a connect key, without prompts, and the agent syncs' {
        $script:Key = New-JCSyncConnectKey -Domain 'DC=example;DC=com' @script:SplatJumpCloud
        $script:Key.ConnectKey | Should -BeOfType [System.Security.SecureString]
        $script:Installed.Add($script:InstallPath)
        $result = $script:Key | Install-JCSyncAgent -InstallPath $script:InstallPath @script:SplatInstall @script:SplatJumpCloud -Confirm:$false
        $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentInstall'
        $result.Upgraded | Should -BeFalse
        $result.Running | Should -BeTrue
        $result.Role | Should -BeExactly 'Primary'
        $result.ServiceManager | Should -BeExactly 'Process'
        $result.SecretsProtection | Should -BeExactly 'keyfile-aes256gcm-v1'
        (Get-Item -LiteralPath (Join-Path -Path $script:InstallPath -ChildPath 'agent.key')).UnixStat.Mode -band 511 | Should -Be 384
        Wait-Until -What 'the user in AD' -Condition { @((Invoke-SyncFixture -Action 'ou-read' -Request @{ connectionFile = $script:ConnectionFile; dn = $script:OU.dn }).users).Count -eq 1 }
    }

    It 'Get-JCSyncAgent shows the agent running, connected, primary; with the API key, the domain''s agents' {
        $status = Get-JCSyncAgent -InstallPath $script:InstallPath
        $status.Running | Should -BeTrue
        $status.Connected | Should -BeTrue
        $status.Role | Should -BeExactly 'Primary'
        $status.ServerType | Should -BeExactly 'DC'
        $status.ConnectKeyExchanged | Should -BeTrue
        $status.LastHeartbeat | Should -Not -BeNullOrEmpty
        $status.Failed | Should -Be 0
        $script:AgentPid = $status.ProcessId
        $all = @(Get-JCSyncAgent -InstallPath $script:InstallPath @script:SplatJumpCloud)
        $agents = @($all | Where-Object { $_.PSObject.TypeNames[0] -eq 'JumpCloudADI.SyncAgentInfo' })
        $agents.Count | Should -Be 1
        $agents[0].Health | Should -BeExactly 'Green'
        $agents[0].Primary | Should -BeTrue
        $agents[0].ThisMachine | Should -BeTrue
        ($status | Format-List | Out-String) | Should -Match 'Role\s+: Primary'
    }

    It 'keeps the secrets off the agent''s command line and environment, and out of its config and logs' {
        $argv = ([System.IO.File]::ReadAllText("/proc/$($script:AgentPid)/cmdline")).Split([char]0) | Where-Object { $_ -ne '' }
        @($argv | Select-Object -Skip 1) | Should -Be @('run', '--config', (Join-Path -Path $script:InstallPath -ChildPath 'agent.json'))
        $environment = [System.IO.File]::ReadAllText("/proc/$($script:AgentPid)/environ")
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($script:Key.ConnectKey)
        try {
            $connectKeyText = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
        }
        finally {
            [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
        }
        $texts = @{
            'argv'        = ($argv -join ' ')
            'environment' = $environment
            'agent.json'  = [System.IO.File]::ReadAllText((Join-Path -Path $script:InstallPath -ChildPath 'agent.json'))
            'agent log'   = [System.IO.File]::ReadAllText((Join-Path -Path $script:InstallPath -ChildPath 'logs/agent.log'))
            'engine log'  = [System.IO.File]::ReadAllText($env:JCADI_LOG_FILE)
        }
        foreach ($where in $texts.Keys) {
            foreach ($secret in $script:AdminPassword, $script:ApiKeyText, $connectKeyText) {
                $texts[$where].Contains($secret) | Should -BeFalse -Because "no secret belongs in the $where"
            }
        }
    }

    It 'Get-JCSyncHistory shows what the agent did, filtered by user and outcome' {
        $history = @(Get-JCSyncHistory -InstallPath $script:InstallPath -User "pa$($script:Tag).ann")
        @($history | ForEach-Object { $_.Kind }) | Should -Contain 'createUser'
        $history[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncHistoryEntry'
        @(Get-JCSyncHistory -InstallPath $script:InstallPath -Outcome Failed).Count | Should -Be 0
    }

    It 'refuses a connect key used once already, and leaves nothing installed' {
        $path = Join-Path -Path $script:Work -ChildPath 'second'
        $script:Installed.Add($path)
        { $script:Key | Install-JCSyncAgent -InstallPath $path @script:SplatInstall @script:SplatJumpCloud -Confirm:$false } | Should -Throw -ErrorId 'JumpCloud.ConnectKeyUsed,Install-JCSyncAgent'
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses <Case> with <ErrorId>, and leaves nothing installed' -ForEach @(
        @{ Case = 'plain LDAP without the risk acknowledged'; Change = @{ LdapMode = 'Ldap'; Port = 389; AllowInsecureLdap = $true }; ErrorId = 'Agent.InsecureLdapNotAcknowledged' }
        @{ Case = 'a Root DN not under the ADI domain'; Change = @{ RootUserDN = 'CN=Users;DC=other;DC=test' }; ErrorId = 'RootDN.NotUnderDomain' }
        @{ Case = 'a member server without its DC'; Change = @{ ServerType = 'MemberServer'; DomainController = $null }; ErrorId = 'Agent.DomainControllerRequired' }
    ) {
        $path = Join-Path -Path $script:Work -ChildPath ('refused-' + [guid]::NewGuid().ToString('N'))
        $splat = @{}
        foreach ($key in $script:SplatInstall.Keys) {
            $splat[$key] = $script:SplatInstall[$key]
        }
        foreach ($key in $Change.Keys) {
            if ($null -eq $Change[$key]) {
                $splat.Remove($key)
            }
            else {
                $splat[$key] = $Change[$key]
            }
        }
        $key = New-JCSyncConnectKey -Domain 'DC=example;DC=com' @script:SplatJumpCloud
        { Install-JCSyncAgent -InstallPath $path -ConnectKey $key.ConnectKey @splat @script:SplatJumpCloud -Confirm:$false } | Should -Throw -ErrorId "$ErrorId,Install-JCSyncAgent"
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses to turn the DC installation into a member server in place, and leaves it running' {
        { Install-JCSyncAgent -InstallPath $script:InstallPath -ServerType MemberServer -DomainController dc1.example.com -Confirm:$false } | Should -Throw -ErrorId 'Agent.ServerTypeChange,Install-JCSyncAgent'
        (Get-JCSyncAgent -InstallPath $script:InstallPath).Running | Should -BeTrue
    }

    It 'upgrades in place with -InstallPath alone: engine replaced, configuration kept, agent running' {
        $config = [System.IO.File]::ReadAllText((Join-Path -Path $script:InstallPath -ChildPath 'agent.json'))
        $result = Install-JCSyncAgent -InstallPath $script:InstallPath -Confirm:$false
        $result.Upgraded | Should -BeTrue
        $result.Running | Should -BeTrue
        ([System.IO.File]::ReadAllText((Join-Path -Path $script:InstallPath -ChildPath 'agent.json')) | ConvertFrom-Json).agent.agentId | Should -BeExactly (($config | ConvertFrom-Json).agent.agentId)
    }

    It 'Set-JCSyncAgent changes a setting in place and restarts the running agent as the same agent; a new domain is refused' {
        $configFile = Join-Path -Path $script:InstallPath -ChildPath 'agent.json'
        $before = (Get-JCSyncAgent -InstallPath $script:InstallPath).AgentId
        { Set-JCSyncAgent -InstallPath $script:InstallPath -Domain 'DC=other;DC=com' -OffboardPollSeconds 20 -Confirm:$false } | Should -Throw -ErrorId 'Agent.SettingNotChangeable,Set-JCSyncAgent'
        $unchanged = [System.IO.File]::ReadAllText($configFile)
        $result = Set-JCSyncAgent -InstallPath $script:InstallPath -OffboardPollSeconds 20 -LogLevel Verbose -Confirm:$false
        @($result.Changed | ForEach-Object { $_.Setting }) | Should -Be @('sync.offboardPollSeconds', 'sync.logLevel')
        $result.RestartRequired | Should -BeTrue
        $result.Restarted | Should -BeTrue
        [System.IO.File]::ReadAllText($configFile) | Should -Not -BeExactly $unchanged
        ([System.IO.File]::ReadAllText($configFile) | ConvertFrom-Json).sync.offboardPollSeconds | Should -Be 20
        $status = Get-JCSyncAgent -InstallPath $script:InstallPath
        $status.Running | Should -BeTrue
        $status.AgentId | Should -BeExactly $before
    }

    It 'Stop-JCSyncAgent stops it gracefully; Start-JCSyncAgent starts it again as the same agent' {
        $before = (Get-JCSyncAgent -InstallPath $script:InstallPath).AgentId
        $null = Stop-JCSyncAgent -InstallPath $script:InstallPath -Confirm:$false
        $stopped = Get-JCSyncAgent -InstallPath $script:InstallPath
        $stopped.Running | Should -BeFalse
        $stopped.Status | Should -BeExactly 'Stopped'
        $started = Start-JCSyncAgent -InstallPath $script:InstallPath
        $started.Running | Should -BeTrue
        $started.AgentId | Should -BeExactly $before
    }

    It 'Uninstall-JCSyncAgent stops and removes it, and revokes its record in JumpCloud' {
        $removed = Uninstall-JCSyncAgent -InstallPath $script:InstallPath @script:SplatJumpCloud -Confirm:$false
        $removed.AgentRevoked | Should -BeTrue
        Test-Path -LiteralPath $script:InstallPath | Should -BeFalse
        $agents = @((Get-JCADIDomain -Domain 'DC=example;DC=com' @script:SplatJumpCloud).Agents | Where-Object { $_.State -ne 'unsealed' })
        $agents.Count | Should -Be 0
    }

    It 'Install-JCSyncAgent -ApiKeyOnly installs the API-key mode: no connect key, changes through Directory Insights, passwords not synced' {
        $path = Join-Path -Path $script:Work -ChildPath 'apikey'
        $script:Installed.Add($path)
        $result = Install-JCSyncAgent -InstallPath $path -ApiKeyOnly @script:SplatInstall @script:SplatJumpCloud -Confirm:$false
        $result.Mode | Should -BeExactly 'ApiKey'
        $result.PasswordSync | Should -BeExactly 'not synced in API-key mode'
        $result.Running | Should -BeTrue
        $result.Role | Should -BeExactly 'Standalone'
        $config = [System.IO.File]::ReadAllText((Join-Path -Path $path -ChildPath 'agent.json')) | ConvertFrom-Json
        $config.mode | Should -BeExactly 'apiKey'
        @($config.PSObject.Properties.Name) | Should -Not -Contain 'connectKey'
        @($config.PSObject.Properties.Name) | Should -Not -Contain 'agent'
        $status = Get-JCSyncAgent -InstallPath $path
        $status.Mode | Should -BeExactly 'ApiKey'
        $status.Connected | Should -BeTrue
        ($status | Format-List | Out-String) | Should -Match 'PasswordSync\s+: not synced in API-key mode'
        $null = Invoke-SandboxAdmin -Calls @(@{ method = 'PATCH'; path = "/users/pa$($script:Tag).ann"; body = @{ lastname = 'ThroughInsights' } })
        Wait-Until -What 'the change in AD' -TimeoutSeconds 60 -Condition { @((Invoke-SyncFixture -Action 'ou-read' -Request @{ connectionFile = $script:ConnectionFile; dn = $script:OU.dn }).users | Where-Object { $_.sn -eq 'ThroughInsights' }).Count -eq 1 }
        $agents = @((Get-JCADIDomain -Domain 'DC=example;DC=com' @script:SplatJumpCloud).Agents | Where-Object { $_.State -ne 'unsealed' })
        $agents.Count | Should -Be 0 -Because 'no agent registers with the agent service in this mode'
        $removed = Uninstall-JCSyncAgent -InstallPath $path @script:SplatJumpCloud -Confirm:$false
        $removed.AgentRevoked | Should -BeFalse
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses an expired connect key, and leaves nothing installed' {
        $key = New-JCSyncConnectKey -Domain 'DC=example;DC=com' @script:SplatJumpCloud
        $null = Invoke-SandboxAdmin -Calls @(@{ method = 'POST'; path = '/clock'; body = @{ advanceSeconds = 8 * 86400 } })
        $path = Join-Path -Path $script:Work -ChildPath 'expired'
        $script:Installed.Add($path)
        { Install-JCSyncAgent -InstallPath $path -ConnectKey $key.ConnectKey @script:SplatInstall @script:SplatJumpCloud -Confirm:$false } | Should -Throw -ErrorId 'JumpCloud.ConnectKeyExpired,Install-JCSyncAgent'
        Test-Path -LiteralPath $path | Should -BeFalse
    }
}
