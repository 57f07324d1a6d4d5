BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'New-JCADIDomain and Get-JCADIDomain' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.ADIDomain'; Id = 'd1'; Domain = 'DC=example;DC=com'; UseCase = 'JCASAUTHORITY' }
        }
        $script:ApiKeyText = 'Key-' + [guid]::NewGuid().ToString('N')
        $script:ApiKey = ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force
    }

    Context 'parameters' {
        It 'New-JCADIDomain: -Domain mandatory at position 0, the API key a mandatory SecureString, use cases from JumpCloud' {
            $domain = Get-ParameterInfo -CommandName New-JCADIDomain -ParameterName Domain
            $domain[0].Mandatory | Should -BeTrue
            $domain[0].Position | Should -Be 0
            (Get-ParameterInfo -CommandName New-JCADIDomain -ParameterName JumpCloudApiKey)[0].Mandatory | Should -BeTrue
            (Get-Command -Name New-JCADIDomain).Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $set = (Get-Command -Name New-JCADIDomain).Parameters['UseCase'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($set.ValidValues) | Should -Be @('JCASAUTHORITY', 'TWOWAYSYNC', 'ADASAUTHORITY')
        }

        It 'New-JCADIDomain supports -WhatIf and -Confirm (medium impact); Get-JCADIDomain changes nothing' {
            $new = Get-Command -Name New-JCADIDomain
            $new.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $attribute = $new.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $attribute.ConfirmImpact | Should -Be 'Medium'
            (Get-Command -Name Get-JCADIDomain).Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }

    Context 'requests' {
        It 'registers the domain with the "manage in JumpCloud" use case by default, the key as a SecureString' {
            $result = New-JCADIDomain -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey -JumpCloudUrl 'https://127.0.0.1:8443'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'adi-domain-new'
            $call.CmdletName | Should -BeExactly 'New-JCADIDomain'
            @($call.Parameters.Keys) | Should -Be @('jumpcloud', 'domain', 'useCase')
            $call.Parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
            $call.Parameters['useCase'] | Should -BeExactly 'JCASAUTHORITY'
            $call.Parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $call.Parameters['jumpcloud']['baseUrl'] | Should -BeExactly 'https://127.0.0.1:8443'
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ADIDomain'
            $json = ConvertTo-RequestJson -Parameters $call.Parameters
            ([regex]::Matches($json, [regex]::Escape($script:ApiKeyText))).Count | Should -Be 1
        }

        It 'sends another use case in upper case' {
            $null = New-JCADIDomain -Domain 'DC=example;DC=com' -UseCase twowaysync -JumpCloudApiKey $script:ApiKey
            $script:EngineCalls[0].Parameters['useCase'] | Should -BeExactly 'TWOWAYSYNC'
            $script:EngineCalls[0].Parameters['jumpcloud']['region'] | Should -BeExactly 'us'
        }

        It 'registers nothing with -WhatIf' {
            New-JCADIDomain -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey -WhatIf
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses -JumpCloudUrl together with -Region before calling the engine' {
            { New-JCADIDomain -Domain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey -JumpCloudUrl 'https://x.example' -Region EU } | Should -Throw -ErrorId 'JumpCloudUrl.RegionConflict,New-JCADIDomain'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'Get-JCADIDomain lists all domains, or one by name' {
            $null = Get-JCADIDomain -JumpCloudApiKey $script:ApiKey
            $null = Get-JCADIDomain 'DC=example;DC=com' -JumpCloudApiKey $script:ApiKey -OrgId 'aaaaaaaaaaaaaaaaaaaaaaaa'
            $script:EngineCalls[0].Command | Should -BeExactly 'adi-domain-list'
            @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('jumpcloud')
            @($script:EngineCalls[1].Parameters.Keys) | Should -Be @('jumpcloud', 'domain')
            $script:EngineCalls[1].Parameters['jumpcloud']['orgId'] | Should -BeExactly 'aaaaaaaaaaaaaaaaaaaaaaaa'
        }
    }
}
