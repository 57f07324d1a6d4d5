BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Uninstall-JCSyncAgent' {
    BeforeEach {
        $script:Calls = New-Object -TypeName System.Collections.Generic.List[string]
        $script:EngineParams = $null
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:Calls.Add('engine:' + $Command)
            $script:EngineParams = $Parameters
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentUninstall'; InstallPath = $Parameters['installPath']; AgentRevoked = $Parameters.Contains('jumpcloud') }
        }
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            $script:Calls.Add('service:' + $Action)
        }
        $script:Folder = Join-Path -Path $TestDrive -ChildPath ([guid]::NewGuid().ToString('N'))
        [void](New-Item -ItemType Directory -Path $script:Folder)
        Set-Content -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'agent.json') -Value '{}'
    }

    It 'has a high confirm impact: it removes the agent' {
        $attribute = (Get-Command -Name Uninstall-JCSyncAgent).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $attribute.SupportsShouldProcess | Should -BeTrue
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'stops the agent, removes the service, then its files' {
        $result = Uninstall-JCSyncAgent -InstallPath $script:Folder -Confirm:$false
        @($script:Calls) | Should -Be @('service:Stop', 'service:Unregister', 'engine:agent-uninstall')
        @($script:EngineParams.Keys) | Should -Be @('installPath', 'keepHistory')
        $script:EngineParams['installPath'] | Should -BeExactly $script:Folder
        $script:EngineParams['keepHistory'] | Should -BeFalse
        $result.AgentRevoked | Should -BeFalse
    }

    It 'keeps the history and revokes the agent record in JumpCloud when asked' {
        $apiKey = ConvertTo-SecureString -String 'api-key-value' -AsPlainText -Force
        $result = Uninstall-JCSyncAgent -InstallPath $script:Folder -KeepHistory -JumpCloudApiKey $apiKey -JumpCloudUrl 'https://127.0.0.1:8443' -Confirm:$false
        $script:EngineParams['keepHistory'] | Should -BeTrue
        $script:EngineParams['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
        $result.AgentRevoked | Should -BeTrue
    }

    It 'refuses a folder without an installation, and does nothing with -WhatIf' {
        { Uninstall-JCSyncAgent -InstallPath (Join-Path -Path $TestDrive -ChildPath 'none') -Confirm:$false } | Should -Throw -ErrorId 'Agent.NotInstalled,Uninstall-JCSyncAgent'
        Uninstall-JCSyncAgent -InstallPath $script:Folder -WhatIf
        $script:Calls.Count | Should -Be 0
    }
}
