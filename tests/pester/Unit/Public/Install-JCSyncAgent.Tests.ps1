BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }

    function New-InstallSplat {
        param([string] $Path)
        return @{
            InstallPath              = $Path
            ServerType               = 'DC'
            RootUserDN               = 'OU=Corporate Users;DC=example;DC=com'
            Domain                   = 'DC=example;DC=com'
            ServiceAccountCredential = (New-TestCredential -UserName 'jcsync@example.com' -Password $script:ServicePassword)
            ConnectKey               = (ConvertTo-SecureString -String $script:ConnectKeyText -AsPlainText -Force)
            JumpCloudApiKey          = (ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force)
        }
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Install-JCSyncAgent' {
    BeforeEach {
        $script:ServicePassword = 'Svc-' + [guid]::NewGuid().ToString('N')
        $script:ConnectKeyText = 'jcck_' + [guid]::NewGuid().ToString('N')
        $script:ApiKeyText = 'Api-' + [guid]::NewGuid().ToString('N')
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[object]
        $script:StartError = $null
        Mock -ModuleName JumpCloudADI FindJCEngine { '/module/build/jcadi-engine' }
        # The agent's dedicated Linux user is not created by unit tests (the engine test does it for real).
        Mock -ModuleName JumpCloudADI InitializeJCAgentUser { 'jcadi' }
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:Calls.Add([pscustomobject]@{ Kind = 'engine'; Name = $Command; Parameters = $Parameters })
            if ($Command -eq 'agent-install') {
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentInstall'; InstallPath = $Parameters['installPath']; Upgraded = $false }
            }
        }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            $script:Calls.Add([pscustomobject]@{ Kind = 'service'; Name = $Action; Parameters = @{ InstallPath = $InstallPath; TimeoutSeconds = $TimeoutSeconds } })
            if ($Action -eq 'Start') {
                if ($null -ne $script:StartError) {
                    $exception = New-Object -TypeName System.Exception -ArgumentList 'The connect key was already used'
                    throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, $script:StartError, ([System.Management.Automation.ErrorCategory]::InvalidArgument), $InstallPath)
                }
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentStatus'; Running = $true; Role = 'Primary'; AgentId = 'agent-1' }
            }
        }
        $script:Folder = Join-Path -Path $TestDrive -ChildPath ('ADI ' + [guid]::NewGuid().ToString('N'))
    }

    Context 'parameters' {
        It 'takes the wizard''s values: server type, LDAP mode, Root DN, domain, service account, connect key' {
            $command = Get-Command -Name Install-JCSyncAgent
            $command.DefaultParameterSet | Should -BeExactly 'Local'
            $command.Parameters['ServiceAccountCredential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            $command.Parameters['ConnectKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $serverTypes = $command.Parameters['ServerType'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($serverTypes.ValidValues) | Should -Be @('DC', 'MemberServer')
            $modes = $command.Parameters['LdapMode'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($modes.ValidValues) | Should -Be @('Ldaps', 'StartTls', 'Ldap')
            foreach ($name in 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk') {
                $command.Parameters[$name].ParameterType | Should -Be ([switch])
            }
            (Get-ParameterInfo -CommandName Install-JCSyncAgent -ParameterName ComputerName)[0].ParameterSetName | Should -BeExactly 'Remote'
            (Get-ParameterInfo -CommandName Install-JCSyncAgent -ParameterName ConnectKey)[0].ParameterSetName | Should -BeExactly 'Local'
            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        }

        It 'refuses -ConnectKey with -ComputerName: each computer gets a fresh key' {
            $splat = New-InstallSplat -Path $script:Folder
            { Install-JCSyncAgent @splat -ComputerName dc1 } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
    }

    Context 'a new installation' {
        It 'sends every value to agent-install, secrets as SecureStrings, then registers and starts the service' {
            $splat = New-InstallSplat -Path $script:Folder
            $result = Install-JCSyncAgent @splat -CertificateAuthorityFile (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1')
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-install', 'service:Register', 'service:Start')
            $params = $script:Calls[0].Parameters
            @($params.Keys) | Should -Be @('installPath', 'engineFile', 'serverType', 'ldap', 'rootUserDN', 'domain', 'serviceAccount', 'connectKey', 'jumpcloud', 'force', 'serviceUser')
            $params['force'] | Should -BeFalse
            $params['serviceUser'] | Should -BeExactly 'jcadi'
            $params['installPath'] | Should -BeExactly $script:Folder
            $params['engineFile'] | Should -BeExactly '/module/build/jcadi-engine'
            $params['serverType'] | Should -BeExactly 'dc'
            $params['ldap']['mode'] | Should -BeExactly 'ldaps'
            $params['ldap']['port'] | Should -Be 636
            $params['ldap']['allowInsecure'] | Should -BeFalse
            $params['ldap']['caFile'] | Should -BeExactly (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1')
            $params['serviceAccount']['bindDN'] | Should -BeExactly 'jcsync@example.com'
            $params['serviceAccount']['password'] | Should -BeOfType [System.Security.SecureString]
            $params['connectKey'] | Should -BeOfType [System.Security.SecureString]
            $params['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $params
            foreach ($secret in $script:ServicePassword, $script:ConnectKeyText, $script:ApiKeyText) {
                ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            }
            $script:Calls[2].Parameters['TimeoutSeconds'] | Should -Be 60
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncAgentInstall'
            $result.Running | Should -BeTrue
            $result.Role | Should -BeExactly 'Primary'
            $result.AgentId | Should -BeExactly 'agent-1'
        }

        It '-Staging installs a staging agent (staging true to agent-install); without it nothing is sent' {
            $command = Get-Command -Name Install-JCSyncAgent
            $command.Parameters['Staging'].ParameterType | Should -Be ([System.Management.Automation.SwitchParameter])
            $splat = New-InstallSplat -Path $script:Folder
            $null = Install-JCSyncAgent @splat -Staging -Confirm:$false
            $script:Calls[0].Name | Should -BeExactly 'agent-install'
            $script:Calls[0].Parameters['staging'] | Should -BeOfType [bool]
            $script:Calls[0].Parameters['staging'] | Should -BeTrue
            $script:Calls.Clear()
            $null = Install-JCSyncAgent @splat -Confirm:$false
            $script:Calls[0].Parameters.Contains('staging') | Should -BeFalse
        }

        It 'on Windows installs the service host that ships next to the engine' {
            Mock -ModuleName JumpCloudADI GetJCServiceHostFile { 'C:\Modules\JumpCloudADI\bin\jcadi-service.exe' }
            $splat = New-InstallSplat -Path $script:Folder
            $null = Install-JCSyncAgent @splat
            $script:Calls[0].Parameters['serviceHostFile'] | Should -BeExactly 'C:\Modules\JumpCloudADI\bin\jcadi-service.exe'
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-install', 'service:Register', 'service:Start')
        }

        It 'defaults to the wizard''s folder: C:\Program Files\JumpCloud\AD Integration\ on Windows, /opt/jumpcloudadi elsewhere' {
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $false }
            InModuleScope JumpCloudADI { ResolveJCInstallPath -InstallPath '' } | Should -BeExactly '/opt/jumpcloudadi'
            Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
            InModuleScope JumpCloudADI { ResolveJCInstallPath -InstallPath '' } | Should -BeExactly 'C:\Program Files\JumpCloud\AD Integration\'
            $splat = New-InstallSplat -Path 'unused'
            $splat.Remove('InstallPath')
            Install-JCSyncAgent @splat -WhatIf
            $script:Calls.Count | Should -Be 0
        }

        It 'sends a member server''s DC and the insecure-LDAP choices; port 389 without TLS' {
            $splat = New-InstallSplat -Path $script:Folder
            $splat['ServerType'] = 'MemberServer'
            $null = Install-JCSyncAgent @splat -DomainController dc1.example.com -LdapMode Ldap -AllowInsecureLdap -AcknowledgeInsecureLdapRisk -TimeoutSeconds 5
            $params = $script:Calls[0].Parameters
            $params['serverType'] | Should -BeExactly 'member'
            $params['domainController'] | Should -BeExactly 'dc1.example.com'
            $params['ldap']['mode'] | Should -BeExactly 'ldap'
            $params['ldap']['port'] | Should -Be 389
            $params['ldap']['timeoutMs'] | Should -Be 5000
            $params['ldap']['allowInsecure'] | Should -BeTrue
            $params['ldap']['insecureRiskAcknowledged'] | Should -BeTrue
        }

        It 'asks for nothing: missing values are one clear error, before anything is done' {
            { Install-JCSyncAgent -InstallPath $script:Folder -ServerType DC } | Should -Throw -ErrorId 'Install.ParameterMissing,Install-JCSyncAgent'
            try {
                Install-JCSyncAgent -InstallPath $script:Folder -ServerType DC -Domain 'DC=example;DC=com'
            }
            catch {
                $_.Exception.Message | Should -Match '-RootUserDN, -ServiceAccountCredential, -ConnectKey, -JumpCloudApiKey'
            }
            $script:Calls.Count | Should -Be 0
        }

        It 'does nothing with -WhatIf' {
            $splat = New-InstallSplat -Path $script:Folder
            Install-JCSyncAgent @splat -WhatIf
            $script:Calls.Count | Should -Be 0
        }

        It 'rolls back when the agent cannot start, and throws the agent''s error' {
            $script:StartError = 'JumpCloud.ConnectKeyUsed'
            $splat = New-InstallSplat -Path $script:Folder
            { Install-JCSyncAgent @splat -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'JumpCloud.ConnectKeyUsed,Install-JCSyncAgent'
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-install', 'service:Register', 'service:Start', 'service:Stop', 'service:Unregister', 'engine:agent-uninstall')
            $uninstall = $script:Calls[5].Parameters
            $uninstall['installPath'] | Should -BeExactly $script:Folder
            $uninstall['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
        }
    }

    Context 'an upgrade (a configuration is already there)' {
        BeforeEach {
            [void](New-Item -ItemType Directory -Path $script:Folder -Force)
            Set-Content -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'agent.json') -Value '{}'
        }

        It '-Force lets the engine reset an unsafe existing folder' {
            $null = Install-JCSyncAgent -InstallPath $script:Folder -Force
            $script:Calls[2].Parameters['force'] | Should -BeTrue
        }

        It 'needs only the install path: checks, stops, replaces the engine, starts' {
            $result = Install-JCSyncAgent -InstallPath $script:Folder
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-install', 'service:Stop', 'engine:agent-install', 'service:Register', 'service:Start')
            $script:Calls[0].Parameters['whatIf'] | Should -BeTrue
            @($script:Calls[2].Parameters.Keys) | Should -Be @('installPath', 'engineFile', 'force', 'serviceUser')
            $result.Running | Should -BeTrue
        }

        It 'on Windows replaces the service host too, and registers again (an older service ran the engine itself)' {
            Mock -ModuleName JumpCloudADI GetJCServiceHostFile { 'C:\Modules\JumpCloudADI\bin\jcadi-service.exe' }
            $null = Install-JCSyncAgent -InstallPath $script:Folder
            @($script:Calls[2].Parameters.Keys) | Should -Be @('installPath', 'engineFile', 'serviceHostFile', 'force', 'serviceUser')
            $script:Calls[2].Parameters['serviceHostFile'] | Should -BeExactly 'C:\Modules\JumpCloudADI\bin\jcadi-service.exe'
            $script:Calls[3].Name | Should -BeExactly 'Register'
            Should -Invoke -ModuleName JumpCloudADI GetJCServiceHostFile -Times 1 -Exactly -ParameterFilter { $EngineFile -eq '/module/build/jcadi-engine' }
        }

        It 'passes a requested server type so that the engine can refuse a change between DC and member server before stopping anything' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $script:Calls.Add([pscustomobject]@{ Kind = 'engine'; Name = $Command; Parameters = $Parameters })
                $exception = New-Object -TypeName System.Exception -ArgumentList 'uninstall first'
                $Cmdlet.ThrowTerminatingError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Agent.ServerTypeChange', ([System.Management.Automation.ErrorCategory]::InvalidOperation), 'agent.json'))
            }
            { Install-JCSyncAgent -InstallPath $script:Folder -ServerType MemberServer -DomainController dc1 } | Should -Throw -ErrorId 'Agent.ServerTypeChange,Install-JCSyncAgent'
            $script:Calls.Count | Should -Be 1
            $script:Calls[0].Parameters['serverType'] | Should -BeExactly 'member'
        }
    }

    Context 'the API-key mode (-ApiKeyOnly)' {
        It 'is its own parameter set: no connect key, no rollout over remoting' {
            $info = @(Get-ParameterInfo -CommandName Install-JCSyncAgent -ParameterName ApiKeyOnly)
            $info.Count | Should -Be 1
            $info[0].ParameterSetName | Should -BeExactly 'ApiKeyOnly'
            $info[0].Mandatory | Should -BeTrue
            (Get-Command -Name Install-JCSyncAgent).Parameters['ApiKeyOnly'].ParameterType | Should -Be ([switch])
            $splat = New-InstallSplat -Path $script:Folder
            { Install-JCSyncAgent @splat -ApiKeyOnly } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
            $splat.Remove('ConnectKey')
            { Install-JCSyncAgent @splat -ApiKeyOnly -ComputerName dc1 } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
            $script:Calls.Count | Should -Be 0
        }

        It 'sends mode apiKey and no connect key, the API key as a SecureString, then registers and starts the service' {
            $splat = New-InstallSplat -Path $script:Folder
            $splat.Remove('ConnectKey')
            $null = Install-JCSyncAgent @splat -ApiKeyOnly
            @($script:Calls | ForEach-Object { '{0}:{1}' -f $_.Kind, $_.Name }) | Should -Be @('engine:agent-install', 'service:Register', 'service:Start')
            $params = $script:Calls[0].Parameters
            $params['mode'] | Should -BeExactly 'apiKey'
            $params.Contains('connectKey') | Should -BeFalse
            $params['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $params['domain'] | Should -BeExactly 'DC=example;DC=com'
            $json = ConvertTo-RequestJson -Parameters $params
            ([regex]::Matches($json, [regex]::Escape($script:ApiKeyText))).Count | Should -Be 1
        }

        It 'requires the API key, and names -ApiKeyOnly when a connect key is missing' {
            $splat = New-InstallSplat -Path $script:Folder
            $splat.Remove('ConnectKey')
            $splat.Remove('JumpCloudApiKey')
            $caught = $null
            try {
                Install-JCSyncAgent @splat -ApiKeyOnly
            }
            catch {
                $caught = $_
            }
            $caught.FullyQualifiedErrorId | Should -BeExactly 'Install.ParameterMissing,Install-JCSyncAgent'
            $caught.Exception.Message | Should -Match 'needs -JumpCloudApiKey\.'
            $caught.Exception.Message | Should -Not -Match '-ConnectKey'
            $splat['JumpCloudApiKey'] = ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force
            { Install-JCSyncAgent @splat } | Should -Throw -ExpectedMessage '*-ConnectKey*-ApiKeyOnly installs the API-key mode, which syncs no passwords*'
            $script:Calls.Count | Should -Be 0
        }

        It 'passes the mode on an upgrade, so that the engine can say the installed mode is kept' {
            [void](New-Item -ItemType Directory -Path $script:Folder -Force)
            Set-Content -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'agent.json') -Value '{}'
            $null = Install-JCSyncAgent -InstallPath $script:Folder -ApiKeyOnly
            $installs = @($script:Calls | Where-Object { $_.Name -eq 'agent-install' })
            $installs.Count | Should -Be 2
            $installs[1].Parameters['mode'] | Should -BeExactly 'apiKey'
        }

        It 'does nothing with -WhatIf' {
            $splat = New-InstallSplat -Path $script:Folder
            $splat.Remove('ConnectKey')
            Install-JCSyncAgent @splat -ApiKeyOnly -WhatIf
            $script:Calls.Count | Should -Be 0
        }
    }

    Context 'a rollout over remoting (-ComputerName)' {
        BeforeEach {
            $script:KeyNumber = 0
            Mock -ModuleName JumpCloudADI New-JCSyncConnectKey {
                $script:KeyNumber++
                [pscustomobject]@{ ConnectKey = (ConvertTo-SecureString -String ('jcck_fresh{0}' -f $script:KeyNumber) -AsPlainText -Force); Domain = $Domain }
            }
            $script:Remote = New-Object -TypeName System.Collections.Generic.List[object]
            Mock -ModuleName JumpCloudADI Invoke-Command {
                $script:Remote.Add([pscustomobject]@{ ComputerName = $ComputerName; Arguments = $ArgumentList[0]; Credential = $Credential; Script = [string]$ScriptBlock })
                if ($ComputerName -eq 'bad-dc') {
                    throw 'WinRM cannot reach bad-dc'
                }
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentInstall'; PSComputerName = $ComputerName }
            }
        }

        It 'makes a fresh connect key per computer and runs Install-JCSyncAgent there with the same values' {
            $splat = New-InstallSplat -Path 'C:\Program Files\JumpCloud\AD Integration\'
            $splat.Remove('ConnectKey')
            $remoteCredential = New-TestCredential -UserName 'EXAMPLE\admin'
            $results = @(Install-JCSyncAgent @splat -ComputerName dc1, dc2 -AllowInsecureLdap -AcknowledgeInsecureLdapRisk -LdapMode Ldap -RemoteCredential $remoteCredential)
            Should -Invoke New-JCSyncConnectKey -ModuleName JumpCloudADI -Times 2 -Exactly -ParameterFilter { $Domain -eq 'DC=example;DC=com' -and $null -ne $JumpCloudApiKey }
            @($script:Remote | ForEach-Object { $_.ComputerName }) | Should -Be @('dc1', 'dc2')
            $first = $script:Remote[0].Arguments
            Get-PlainText -SecureString $first['ConnectKey'] | Should -BeExactly 'jcck_fresh1'
            Get-PlainText -SecureString $script:Remote[1].Arguments['ConnectKey'] | Should -BeExactly 'jcck_fresh2'
            $first['ServerType'] | Should -BeExactly 'DC'
            $first['RootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $first['InstallPath'] | Should -BeExactly 'C:\Program Files\JumpCloud\AD Integration\'
            $first['ServiceAccountCredential'].UserName | Should -BeExactly 'jcsync@example.com'
            $first['AllowInsecureLdap'] | Should -BeOfType [bool]
            $first['AllowInsecureLdap'] | Should -BeTrue
            $first.ContainsKey('ComputerName') | Should -BeFalse
            $first.ContainsKey('RemoteCredential') | Should -BeFalse
            $script:Remote[0].Credential.UserName | Should -BeExactly 'EXAMPLE\admin'
            $script:Remote[0].Script | Should -Match 'Install-JCSyncAgent @Parameters'
            $results.Count | Should -Be 2
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'reports a computer that fails and goes on with the next' {
            $splat = New-InstallSplat -Path 'C:\ADI'
            $splat.Remove('ConnectKey')
            $results = @(Install-JCSyncAgent @splat -ComputerName bad-dc, dc2 -ErrorVariable failures -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $remoteFailures = @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'Install.*' })
            @($remoteFailures | ForEach-Object { $_.FullyQualifiedErrorId }) | Should -Be @('Install.RemoteFailed,Install-JCSyncAgent')
            $remoteFailures[0].TargetObject | Should -BeExactly 'bad-dc'
            $remoteFailures[0].Exception.Message | Should -Match 'WinRM cannot reach bad-dc'
            @($script:Remote | ForEach-Object { $_.ComputerName }) | Should -Be @('bad-dc', 'dc2')
        }

        It 'needs the domain and the API key to make the keys, and does nothing with -WhatIf' {
            { Install-JCSyncAgent -ComputerName dc1 -ServerType DC } | Should -Throw -ErrorId 'Install.ParameterMissing,Install-JCSyncAgent'
            $splat = New-InstallSplat -Path 'C:\ADI'
            $splat.Remove('ConnectKey')
            Install-JCSyncAgent @splat -ComputerName dc1 -WhatIf
            Should -Invoke New-JCSyncConnectKey -ModuleName JumpCloudADI -Times 0 -Exactly
            $script:Remote.Count | Should -Be 0
        }
    }
}
