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

Describe 'New-JCSyncConnectKey' {
    BeforeEach {
        $script:KeyText = 'jcck_' + [guid]::NewGuid().ToString('N')
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncConnectKey'; AgentId = 'a1'; DomainId = 'd1'; Domain = 'DC=example;DC=com'; CreatedAt = '2030-01-01T00:00:00.000Z'; ExpiresAt = '2030-01-08T00:00:00.000Z'; Key = $script:KeyText }
        }
        $script:ApiKey = ConvertTo-SecureString -String 'api-key-value' -AsPlainText -Force
    }

    It 'asks the engine for a sync agent record of the domain' {
        $null = New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey
        $script:EngineCalls[0].Command | Should -BeExactly 'agent-connect-key-new'
        @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('jumpcloud', 'domain')
        $script:EngineCalls[0].Parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
    }

    It 'returns the key as a SecureString only: never printed, never in the object in clear' {
        $result = New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey
        $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncConnectKey'
        $result.ConnectKey | Should -BeOfType [System.Security.SecureString]
        Get-PlainText -SecureString $result.ConnectKey | Should -BeExactly $script:KeyText
        @($result.PSObject.Properties.Name) | Should -Be @('AgentId', 'Domain', 'DomainId', 'CreatedAt', 'ExpiresAt', 'ConnectKey')
        ($result | Out-String) | Should -Not -Match ([regex]::Escape($script:KeyText))
        ($result | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($script:KeyText))
        (ConvertTo-Json -InputObject $result -Depth 5) | Should -Not -Match ([regex]::Escape($script:KeyText))
        $result.ExpiresAt | Should -Not -BeNullOrEmpty
    }

    It 'creates nothing with -WhatIf' {
        New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey -WhatIf
        Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
    }

    It 'pipes into Install-JCSyncAgent: ConnectKey and Domain bind by property name' {
        $connectKey = (Get-Command -Name Install-JCSyncAgent).Parameters['ConnectKey']
        ($connectKey.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })[0].ValueFromPipelineByPropertyName | Should -BeTrue
        ((Get-Command -Name Install-JCSyncAgent).Parameters['Domain'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })[0].ValueFromPipelineByPropertyName | Should -BeTrue
    }
}
