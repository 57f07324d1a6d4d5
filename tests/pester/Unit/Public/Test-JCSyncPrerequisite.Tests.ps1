BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Test-JCSyncPrerequisite' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.PrerequisiteResult'; Item = 'DC.Bind'; Category = 'Domain controller'; Status = 'Pass'; Remedy = $null }
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.PrerequisiteResult'; Item = 'Delegation.ResetPasswords'; Category = 'Delegation'; Status = 'Fail'; Remedy = 'Grant-JCSyncDelegation ...' }
        }
        $script:Splat = @{
            RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
            Server     = 'dc1.example.com'
            Credential = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }

    Context 'parameters' {
        It 'RootUserDN, Server and Credential are mandatory; the API key is an optional SecureString' {
            foreach ($name in 'RootUserDN', 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName Test-JCSyncPrerequisite -ParameterName $name)[0].Mandatory | Should -BeTrue
            }
            foreach ($name in 'ServiceAccount', 'Domain', 'JumpCloudApiKey', 'Region', 'JumpCloudUrl', 'OrgId', 'JumpCloudCertificateAuthorityFile', 'JumpCloudTimeoutSeconds') {
                (Get-ParameterInfo -CommandName Test-JCSyncPrerequisite -ParameterName $name)[0].Mandatory | Should -BeFalse -Because "-$name is optional"
            }
            (Get-Command -Name Test-JCSyncPrerequisite).Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
        }
    }

    Context 'the prerequisites request' {
        It 'without an API key sends no jumpcloud block' {
            $results = @(Test-JCSyncPrerequisite @script:Splat)
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'prerequisites'
            $call.CmdletName | Should -BeExactly 'Test-JCSyncPrerequisite'
            @($call.Parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'serviceAccount')
            $call.Parameters['serviceAccount'] | Should -BeExactly 'jcsync'
            $results.Count | Should -Be 2
            $results[1].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.PrerequisiteResult'
        }

        It 'with an API key sends the jumpcloud block, and the domain when given' {
            $key = 'Key-' + [guid]::NewGuid().ToString('N')
            $apiKey = ConvertTo-SecureString -String $key -AsPlainText -Force
            $null = Test-JCSyncPrerequisite @script:Splat -JumpCloudApiKey $apiKey -Region EU -Domain 'DC=example;DC=com' -ServiceAccount 'jcsync@example.com'
            $parameters = $script:EngineCalls[0].Parameters
            @($parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'serviceAccount', 'jumpcloud', 'domain')
            $parameters['jumpcloud']['region'] | Should -BeExactly 'eu'
            $parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
            $parameters['serviceAccount'] | Should -BeExactly 'jcsync@example.com'
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($key))).Count | Should -Be 1
        }

        It 'warns when JumpCloud settings come without a key, and checks without JumpCloud' {
            $null = Test-JCSyncPrerequisite @script:Splat -JumpCloudUrl 'https://127.0.0.1:8443' -WarningVariable warnings -WarningAction SilentlyContinue
            @($warnings).Count | Should -Be 1
            [string]$warnings[0] | Should -Match 'JumpCloudApiKey'
            $script:EngineCalls[0].Parameters.Contains('jumpcloud') | Should -BeFalse
        }
    }
}
