BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Set-JCSyncAgent' {
    BeforeEach {
        $script:ApiKeyText = 'Api-' + [guid]::NewGuid().ToString('N')
        $script:ProxyPassword = 'Proxy-' + [guid]::NewGuid().ToString('N')
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[object]
        $script:RestartRequired = $true
        $script:Changed = @([pscustomobject]@{ Setting = 'sync.fullReconcileMinutes'; Before = 60; After = 30 })
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:Calls.Add([pscustomobject]@{ Kind = 'engine'; Name = $Command; Parameters = $Parameters })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentConfigChange'; InstallPath = $Parameters['installPath']; Changed = $script:Changed; Verified = [bool]$Parameters['verify']; RestartRequired = $script:RestartRequired }
        }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            $script:Calls.Add([pscustomobject]@{ Kind = 'service'; Name = $Action; Parameters = @{ InstallPath = $InstallPath; TimeoutSeconds = $TimeoutSeconds } })
            if ($Action -eq 'Start') {
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentStatus'; Running = $true }
            }
        }
        $script:Folder = Join-Path -Path $TestDrive -ChildPath ('ADI ' + [guid]::NewGuid().ToString('N'))
    }

    Context 'parameters' {
        It 'changes state with ShouldProcess (Medium), secrets as SecureString, proxy or -NoProxy' {
            $command = Get-Command -Name Set-JCSyncAgent
            $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
            $command.Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters['ProxyCredential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            $levels = $command.Parameters['LogLevel'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($levels.ValidValues) | Should -Be @('Error', 'Warning', 'Info', 'Verbose', 'Debug')
            { Set-JCSyncAgent -InstallPath $script:Folder -NoProxy -Proxy 'http://proxy.corp:3128' } | Should -Throw -ErrorId 'Proxy.Conflict*'
            { Set-JCSyncAgent -InstallPath $script:Folder -OffboardPollSeconds 61 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It '-Staging:$false takes a staging agent live, -Staging puts it back: staging to agent-configure, then the restart' {
            $command = Get-Command -Name Set-JCSyncAgent
            $command.Parameters['Staging'].ParameterType | Should -Be ([System.Management.Automation.SwitchParameter])
            $script:Changed = @([pscustomobject]@{ Setting = 'staging'; Before = $true; After = $false })
            $result = Set-JCSyncAgent -InstallPath $script:Folder -Staging:$false -Confirm:$false
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-configure', 'service:Stop', 'service:Start')
            @($script:Calls[0].Parameters.Keys) | Should -Be @('installPath', 'staging', 'verify')
            $script:Calls[0].Parameters['staging'] | Should -BeOfType [bool]
            $script:Calls[0].Parameters['staging'] | Should -BeFalse
            $result.Restarted | Should -BeTrue
            $script:Calls.Clear()
            $null = Set-JCSyncAgent -InstallPath $script:Folder -Staging -Confirm:$false
            $script:Calls[0].Parameters['staging'] | Should -BeTrue
        }

        It 'refuses a call without a setting to change, before the engine' {
            { Set-JCSyncAgent -InstallPath $script:Folder } | Should -Throw -ErrorId 'Agent.NoSettingGiven*'
            $script:Calls.Count | Should -Be 0
        }
    }

    Context 'the request' {
        It 'maps the sync settings, the log level and the LDAP values to agent-configure' {
            $splat = @{
                InstallPath             = $script:Folder
                JumpCloudTimeoutSeconds = 45
                FullReconcileMinutes    = 30
                OffboardPollSeconds     = 20
                InsightsPollSeconds     = 5
                DebounceMilliseconds    = 500
                MaxDisableCount         = 50
                MaxDisablePercent       = 10
                SafetyWindowHours       = 48
                PrivilegedGroup         = @('Tier0 Admins', 'S-1-5-21-1-2-3-1105')
                QuarantineAfterFailures = 3
                RetryBaseSeconds        = 2.5
                LogLevel                = 'Debug'
                DomainController        = 'dc2.example.com'
                LdapMode                = 'StartTls'
                Port                    = 3268
                TimeoutSeconds          = 5
                CertificateAuthorityFile = (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1')
            }
            $null = Set-JCSyncAgent @splat -Confirm:$false
            $script:Calls[0].Name | Should -BeExactly 'agent-configure'
            $params = $script:Calls[0].Parameters
            @($params.Keys) | Should -Be @('installPath', 'jumpcloudTimeoutMs', 'sync', 'domainController', 'ldap', 'verify')
            $params['jumpcloudTimeoutMs'] | Should -Be 45000
            $params['installPath'] | Should -BeExactly $script:Folder
            $params['sync']['fullReconcileMinutes'] | Should -Be 30
            $params['sync']['offboardPollSeconds'] | Should -Be 20
            $params['sync']['insightsPollSeconds'] | Should -Be 5
            $params['sync']['debounceMs'] | Should -Be 500
            $params['sync']['maxDisableCount'] | Should -Be 50
            $params['sync']['maxDisablePercent'] | Should -Be 10
            $params['sync']['safetyWindowHours'] | Should -Be 48
            @($params['sync']['privilegedGroups']) | Should -Be @('Tier0 Admins', 'S-1-5-21-1-2-3-1105')
            $params['sync']['quarantineAfterFailures'] | Should -Be 3
            $params['sync']['retryBaseSeconds'] | Should -Be 2.5
            $params['sync']['logLevel'] | Should -BeExactly 'debug'
            $params['domainController'] | Should -BeExactly 'dc2.example.com'
            $params['ldap']['mode'] | Should -BeExactly 'starttls'
            $params['ldap']['port'] | Should -Be 3268
            $params['ldap']['timeoutMs'] | Should -Be 5000
            $params['ldap']['caFile'] | Should -BeExactly (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1')
            $params['verify'] | Should -BeTrue
        }

        It 'sends the new API key and proxy password only in the request, as SecureStrings' {
            $splat = @{
                InstallPath     = $script:Folder
                JumpCloudApiKey = (ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force)
                Proxy           = 'http://proxy.corp:3128'
                ProxyCredential = (New-TestCredential -UserName 'svc-proxy' -Password $script:ProxyPassword)
                ProxyBypass     = '*.corp.example.com'
                SkipVerify      = $true
            }
            $result = Set-JCSyncAgent @splat -Confirm:$false -WarningAction SilentlyContinue
            $params = $script:Calls[0].Parameters
            $params['jumpcloudApiKey'] | Should -BeOfType [System.Security.SecureString]
            $params['proxy']['url'] | Should -BeExactly 'http://proxy.corp:3128'
            $params['proxy']['username'] | Should -BeExactly 'svc-proxy'
            $params['proxy']['password'] | Should -BeOfType [System.Security.SecureString]
            @($params['proxy']['bypass']) | Should -Be @('*.corp.example.com')
            $params['verify'] | Should -BeFalse
            $json = ConvertTo-RequestJson -Parameters $params
            foreach ($secret in $script:ApiKeyText, $script:ProxyPassword) {
                ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            }
            ($result | Out-String) | Should -Not -Match ([regex]::Escape($script:ApiKeyText))
            $result.Verified | Should -BeFalse
        }

        It 'sends the anchor key only in the request, as a SecureString' {
            $key = New-JCSyncAnchorKey
            $null = Set-JCSyncAgent -InstallPath $script:Folder -AnchorKey $key -Confirm:$false -WarningAction SilentlyContinue
            $params = $script:Calls[0].Parameters
            $params['anchorKey'] | Should -BeOfType [System.Security.SecureString]
            (ConvertTo-RequestJson -Parameters $params) | Should -Match ('"anchorKey":"' + [regex]::Escape((Get-PlainText -SecureString $key)) + '"')
        }

        It 'removes the proxy with -NoProxy (null in the request)' {
            $null = Set-JCSyncAgent -InstallPath $script:Folder -NoProxy -Confirm:$false
            $params = $script:Calls[0].Parameters
            $params.Contains('proxy') | Should -BeTrue
            $params['proxy'] | Should -BeNullOrEmpty
            (ConvertTo-RequestJson -Parameters $params) | Should -Match '"proxy":null'
        }

        It 'passes the unchangeable settings on, for the engine to refuse when they differ' {
            $null = Set-JCSyncAgent -InstallPath $script:Folder -ServerType MemberServer -Domain 'DC=example;DC=com' -RootUserDN 'CN=Users;DC=example;DC=com' -Confirm:$false
            $params = $script:Calls[0].Parameters
            $params['serverType'] | Should -BeExactly 'member'
            $params['domain'] | Should -BeExactly 'DC=example;DC=com'
            $params['rootUserDN'] | Should -BeExactly 'CN=Users;DC=example;DC=com'
        }
    }

    Context 'the restart' {
        It 'restarts a running agent through the service manager' {
            $result = Set-JCSyncAgent -InstallPath $script:Folder -FullReconcileMinutes 30 -StartTimeoutSeconds 45 -Confirm:$false
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-configure', 'service:Stop', 'service:Start')
            $script:Calls[2].Parameters['TimeoutSeconds'] | Should -Be 45
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentConfigChange'
            $result.Restarted | Should -BeTrue
            $result.Changed[0].Setting | Should -BeExactly 'sync.fullReconcileMinutes'
        }

        It 'leaves a stopped agent stopped, and a running one running with -NoRestart (with a warning)' {
            $script:RestartRequired = $false
            $stopped = Set-JCSyncAgent -InstallPath $script:Folder -FullReconcileMinutes 30 -Confirm:$false
            $stopped.Restarted | Should -BeFalse
            $script:RestartRequired = $true
            $warnings = $null
            $kept = Set-JCSyncAgent -InstallPath $script:Folder -FullReconcileMinutes 30 -NoRestart -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $kept.Restarted | Should -BeFalse
            @($warnings).Count | Should -Be 1
            @($script:Calls | Where-Object { $_.Kind -eq 'service' }).Count | Should -Be 0
        }
    }

    Context '-WhatIf' {
        It 'asks the engine for a what-if only: nothing written, nothing restarted, nothing returned' {
            $result = Set-JCSyncAgent -InstallPath $script:Folder -FullReconcileMinutes 30 -WhatIf
            $result | Should -BeNullOrEmpty
            $script:Calls.Count | Should -Be 1
            $script:Calls[0].Parameters['whatIf'] | Should -BeTrue
            $script:Calls[0].Name | Should -BeExactly 'agent-configure'
        }
    }
}
