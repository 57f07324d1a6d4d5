BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    function New-AlignmentSplat {
        param([string] $ApiKey = ('Key-' + [guid]::NewGuid().ToString('N')))
        return @{
            JumpCloudApiKey = (ConvertTo-SecureString -String $ApiKey -AsPlainText -Force)
            Server          = 'dc1.example.com'
            Credential      = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Test-JCPasswordPolicyAlignment' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.PasswordPolicyFinding'; Rule = 'MinimumLength'; AdPolicy = 'Domain policy'; Status = 'Mismatch' }
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.PasswordPolicyFinding'; Rule = 'Complexity'; AdPolicy = 'Domain policy'; Status = 'Mismatch' }
        }
    }

    Context 'parameters' {
        It 'needs the API key (SecureString), the server and the credential; changes nothing' {
            $command = Get-Command -Name Test-JCPasswordPolicyAlignment
            foreach ($name in 'JumpCloudApiKey', 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName Test-JCPasswordPolicyAlignment -ParameterName $name)[0].Mandatory | Should -BeTrue
            }
            (Get-ParameterInfo -CommandName Test-JCPasswordPolicyAlignment -ParameterName RootUserDN)[0].Mandatory | Should -BeFalse
            $command.Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }

    Context 'the policy-alignment request' {
        It 'sends the jumpcloud block (US region by default) and the dc block' {
            $key = 'Key-' + [guid]::NewGuid().ToString('N')
            $splat = New-AlignmentSplat -ApiKey $key
            $results = @(Test-JCPasswordPolicyAlignment @splat)
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'policy-alignment'
            $call.CmdletName | Should -BeExactly 'Test-JCPasswordPolicyAlignment'
            @($call.Parameters.Keys) | Should -Be @('jumpcloud', 'dc')
            $call.Parameters['jumpcloud']['region'] | Should -BeExactly 'us'
            $call.Parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $call.Parameters['jumpcloud']['timeoutMs'] | Should -Be 30000
            $call.Parameters['dc']['host'] | Should -BeExactly 'dc1.example.com'
            $json = ConvertTo-RequestJson -Parameters $call.Parameters
            ([regex]::Matches($json, [regex]::Escape($key))).Count | Should -Be 1
            $results.Count | Should -Be 2
            $results[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.PasswordPolicyFinding'
        }

        It 'sends the sandbox URL, its CA and the root container when given' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'sandbox-ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $splat = New-AlignmentSplat
            $null = Test-JCPasswordPolicyAlignment @splat -JumpCloudUrl 'https://127.0.0.1:8443' -JumpCloudCertificateAuthorityFile $caFile -OrgId '0123456789abcdef01234567' -RootUserDN 'OU=Corporate Users;DC=example;DC=com'
            $parameters = $script:EngineCalls[0].Parameters
            @($parameters.Keys) | Should -Be @('jumpcloud', 'dc', 'rootUserDN')
            $parameters['jumpcloud']['baseUrl'] | Should -BeExactly 'https://127.0.0.1:8443'
            $parameters['jumpcloud'].Contains('region') | Should -BeFalse
            $parameters['jumpcloud']['orgId'] | Should -BeExactly '0123456789abcdef01234567'
            $parameters['jumpcloud']['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $parameters['rootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
        }

        It 'refuses -JumpCloudUrl together with -Region, before the engine' {
            $splat = New-AlignmentSplat
            { Test-JCPasswordPolicyAlignment @splat -JumpCloudUrl 'https://127.0.0.1:8443' -Region EU } | Should -Throw -ErrorId 'JumpCloudUrl.RegionConflict,Test-JCPasswordPolicyAlignment'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }
}
