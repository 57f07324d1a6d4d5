# -Proxy / -ProxyCredential: NewJCProxyBlock through NewJCJumpCloudBlock (the one place that
# describes a JumpCloud connection), and every cmdlet that takes the JumpCloud connection passing
# the proxy on in its jumpcloud block, the password only inside the request.

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }
    $script:ApiKey = ConvertTo-SecureString -String 'Key-123' -AsPlainText -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'NewJCJumpCloudBlock with a proxy' {
    BeforeEach {
        $script:ProxyPassword = 'ProxyPw-' + [guid]::NewGuid().ToString('N')
        $script:ProxyCredential = New-TestCredential -UserName 'CORP\svc-proxy' -Password $script:ProxyPassword
    }

    It 'adds proxy { url, username, password (SecureString), bypass } after the other fields' {
        $block = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Credential = $script:ProxyCredential } {
            NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; Proxy = 'http://proxy.corp:3128/'; ProxyCredential = $Credential; ProxyBypass = @('*.internal', 'sandbox.corp') }
        }
        @($block.Keys) | Should -Be @('region', 'apiKey', 'timeoutMs', 'proxy')
        $proxy = $block['proxy']
        @($proxy.Keys) | Should -Be @('url', 'username', 'password', 'bypass')
        $proxy['url'] | Should -BeExactly 'http://proxy.corp:3128'
        $proxy['username'] | Should -BeExactly 'CORP\svc-proxy'
        $proxy['password'] | Should -BeOfType [System.Security.SecureString]
        Get-PlainText -SecureString $proxy['password'] | Should -BeExactly $script:ProxyPassword
        @($proxy['bypass']) | Should -Be @('*.internal', 'sandbox.corp')
        $json = ConvertTo-RequestJson -Parameters ([ordered]@{ jumpcloud = $block })
        ([regex]::Matches($json, [regex]::Escape($script:ProxyPassword))).Count | Should -Be 1
        $json | Should -Match '"proxy":\{"url":"http://proxy.corp:3128","username":"CORP\\\\svc-proxy","password":"ProxyPw-[0-9a-f]{32}","bypass":\["\*.internal","sandbox.corp"\]\}'
    }

    It 'sends no proxy without -Proxy, and only the URL without credentials' {
        $none = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } { NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30 } }
        $none.Contains('proxy') | Should -BeFalse
        $empty = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } {
            NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; Proxy = 'http://10.0.0.8:8080'; ProxyCredential = [System.Management.Automation.PSCredential]::Empty }
        }
        @($empty['proxy'].Keys) | Should -Be @('url')
        $empty['proxy']['url'] | Should -BeExactly 'http://10.0.0.8:8080'
    }

    It 'sends "environment" for -Proxy Environment, and refuses credentials or a bypass list with it' {
        $block = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } { NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; Proxy = 'Environment' } }
        $block['proxy'] | Should -BeExactly 'environment'
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Credential = $script:ProxyCredential } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; Proxy = 'environment'; ProxyCredential = $Credential }
            }
        } | Should -Throw -ErrorId 'Proxy.EnvironmentWithSettings,NewJCJumpCloudBlock'
    }

    It 'refuses "<Proxy>" (Proxy.Invalid) without repeating it' -ForEach @(
        @{ Proxy = 'https://proxy.corp:3128' }
        @{ Proxy = 'http://svc:Secret-In-Url-1@proxy.corp:3128' }
        @{ Proxy = 'http://proxy.corp:3128/path' }
        @{ Proxy = 'proxy.corp:3128' }
        @{ Proxy = 'socks5://proxy.corp:1080' }
    ) {
        $thrown = $null
        try {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Proxy = $Proxy } { NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; Proxy = $Proxy } }
        }
        catch {
            $thrown = $_
        }
        $thrown | Should -Not -BeNullOrEmpty
        $thrown.FullyQualifiedErrorId | Should -BeExactly 'Proxy.Invalid,NewJCJumpCloudBlock'
        $thrown.Exception.Message | Should -Not -Match 'Secret-In-Url-1'
    }

    It 'refuses -ProxyCredential or -ProxyBypass without -Proxy (Proxy.Missing)' {
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Credential = $script:ProxyCredential } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; ProxyCredential = $Credential }
            }
        } | Should -Throw -ErrorId 'Proxy.Missing,NewJCJumpCloudBlock'
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } { NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30; ProxyBypass = @('a.corp') } }
        } | Should -Throw -ErrorId 'Proxy.Missing,NewJCJumpCloudBlock'
    }
}

Describe 'the cmdlets that take the JumpCloud connection' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
        }
        $script:ProxyPassword = 'ProxyPw-' + [guid]::NewGuid().ToString('N')
        $script:ProxyCredential = New-TestCredential -UserName 'svc-proxy' -Password $script:ProxyPassword
    }

    It 'every cmdlet with -JumpCloudApiKey also has -Proxy [string] and -ProxyCredential [PSCredential] in the same parameter set' {
        $commands = @(Get-Command -Module JumpCloudADI | Where-Object { $_.Parameters.ContainsKey('JumpCloudApiKey') })
        $commands.Count | Should -BeGreaterOrEqual 11
        foreach ($command in $commands) {
            $command.Parameters.ContainsKey('Proxy') | Should -BeTrue -Because "$($command.Name) reaches JumpCloud"
            $command.Parameters['Proxy'].ParameterType | Should -Be ([string]) -Because $command.Name
            $command.Parameters['ProxyCredential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential]) -Because $command.Name
            $timeoutSets = @($command.Parameters['JumpCloudTimeoutSeconds'].ParameterSets.Keys | Sort-Object)
            @($command.Parameters['Proxy'].ParameterSets.Keys | Sort-Object) | Should -Be $timeoutSets -Because $command.Name
        }
        (Get-Command -Name Install-JCSyncAgent).Parameters['ProxyBypass'].ParameterType | Should -Be ([string[]])
    }

    It '<Name> sends the proxy in its jumpcloud block, the password once and only inside the request' -ForEach @(
        @{ Name = 'Get-JCADIDomain'; Extra = @{} }
        @{ Name = 'New-JCADIDomain'; Extra = @{ Domain = 'DC=example;DC=com'; Confirm = $false } }
        @{ Name = 'New-JCSyncConnectKey'; Extra = @{ Domain = 'DC=example;DC=com'; Confirm = $false } }
        @{ Name = 'Invoke-JCSync'; Extra = @{ Domain = 'DC=example;DC=com'; RootUserDN = 'CN=Users;DC=example;DC=com'; Server = 'dc1.example.com'; Confirm = $false }; NeedsDc = $true }
        @{ Name = 'Get-JCSyncPlan'; Extra = @{ Domain = 'DC=example;DC=com'; RootUserDN = 'CN=Users;DC=example;DC=com'; Server = 'dc1.example.com' }; NeedsDc = $true }
        @{ Name = 'Test-JCPasswordPolicyAlignment'; Extra = @{ Server = 'dc1.example.com' }; NeedsDc = $true }
    ) {
        $splatCall = @{
            JumpCloudApiKey = $script:ApiKey
            JumpCloudUrl    = 'https://127.0.0.1:8443'
            Proxy           = 'http://proxy.corp:3128'
            ProxyCredential = $script:ProxyCredential
        }
        foreach ($key in $Extra.Keys) {
            $splatCall[$key] = $Extra[$key]
        }
        if ($NeedsDc) {
            $splatCall['Credential'] = New-TestCredential -UserName 'jcsync@example.com'
        }
        $null = & $Name @splatCall
        $script:EngineCalls.Count | Should -BeGreaterOrEqual 1
        $jumpcloud = $script:EngineCalls[0].Parameters['jumpcloud']
        $jumpcloud['proxy']['url'] | Should -BeExactly 'http://proxy.corp:3128'
        $jumpcloud['proxy']['username'] | Should -BeExactly 'svc-proxy'
        $jumpcloud['proxy']['password'] | Should -BeOfType [System.Security.SecureString]
        $json = ConvertTo-RequestJson -Parameters $script:EngineCalls[0].Parameters
        ([regex]::Matches($json, [regex]::Escape($script:ProxyPassword))).Count | Should -Be 1
    }

    It 'Install-JCSyncAgent keeps the proxy with its bypass list for agent.json' {
        Mock -ModuleName JumpCloudADI FindJCEngine { '/module/build/jcadi-engine' }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService { [pscustomobject]@{ Manager = 'none'; State = 'Running' } }
        $splatInstall = @{
            InstallPath     = (Join-Path -Path $TestDrive -ChildPath 'agent')
            ServerType      = 'DC'
            RootUserDN      = 'CN=Users;DC=example;DC=com'
            Domain          = 'DC=example;DC=com'
            ServiceAccount  = (New-TestCredential -UserName 'jcsync@example.com')
            ApiKeyOnly      = $true
            JumpCloudApiKey = $script:ApiKey
            Proxy           = 'http://proxy.corp:3128'
            ProxyCredential = $script:ProxyCredential
            ProxyBypass     = @('*.internal')
            Confirm         = $false
        }
        $null = Install-JCSyncAgent @splatInstall
        $install = @($script:EngineCalls | Where-Object { $_.Command -eq 'agent-install' })[0]
        $proxy = $install.Parameters['jumpcloud']['proxy']
        @($proxy.Keys) | Should -Be @('url', 'username', 'password', 'bypass')
        @($proxy['bypass']) | Should -Be @('*.internal')
        $json = ConvertTo-RequestJson -Parameters $install.Parameters
        ([regex]::Matches($json, [regex]::Escape($script:ProxyPassword))).Count | Should -Be 1
    }
}
