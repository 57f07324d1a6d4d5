BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    $script:Tasks = @('CreateDeleteManageUsers', 'ResetPasswords', 'ReadUserInformation', 'CreateDeleteManageGroups', 'ModifyGroupMembership')
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Test-JCSyncDelegation' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.DelegationCheck'; Kind = 'Task'; Check = 'ResetPasswords'; Status = 'Missing'; Remedy = 'Grant-JCSyncDelegation ...' }
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.DelegationCheck'; Kind = 'Account'; Check = 'LogonName'; Status = 'Pass'; Remedy = $null }
        }
        $script:Splat = @{
            RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
            Server     = 'dc1.example.com'
            Credential = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }

    Context 'parameters' {
        It 'RootUserDN (position 0), Server and Credential are mandatory; ServiceAccount defaults to jcsync' {
            $root = Get-ParameterInfo -CommandName Test-JCSyncDelegation -ParameterName RootUserDN
            $root[0].Mandatory | Should -BeTrue
            $root[0].Position | Should -Be 0
            foreach ($name in 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName Test-JCSyncDelegation -ParameterName $name)[0].Mandatory | Should -BeTrue
            }
            foreach ($name in 'ServiceAccount', 'Task', 'Port', 'LdapMode', 'CertificateAuthorityFile', 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk', 'TimeoutSeconds') {
                (Get-ParameterInfo -CommandName Test-JCSyncDelegation -ParameterName $name)[0].Mandatory | Should -BeFalse -Because "-$name is optional"
            }
            (Get-Command -Name Test-JCSyncDelegation).Parameters.ContainsKey('WhatIf') | Should -BeFalse -Because 'it changes nothing'
        }

        It 'Task accepts exactly the five wizard tasks' {
            $validateSet = (Get-Command -Name Test-JCSyncDelegation).Parameters['Task'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($validateSet.ValidValues) | Should -Be $script:Tasks
            { Test-JCSyncDelegation @script:Splat -Task 'DeleteEverything' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the delegation-test request' {
        It 'sends the dc block, the root and jcsync by default' {
            $results = @(Test-JCSyncDelegation @script:Splat)
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'delegation-test'
            $call.CmdletName | Should -BeExactly 'Test-JCSyncDelegation'
            @($call.Parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'serviceAccount')
            $call.Parameters['rootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $call.Parameters['serviceAccount'] | Should -BeExactly 'jcsync'
            $dc = $call.Parameters['dc']
            $dc['host'] | Should -BeExactly 'dc1.example.com'
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
            $dc['mode'] | Should -BeExactly 'ldaps'
            $dc['bindDN'] | Should -BeExactly 'Administrator@example.com'
            $results.Count | Should -Be 2
            $results[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.DelegationCheck'
        }

        It 'sends -ServiceAccount as given and -Task as a list' {
            $null = Test-JCSyncDelegation @script:Splat -ServiceAccount 'EXAMPLE\jcsync-eu' -Task ResetPasswords
            $null = Test-JCSyncDelegation @script:Splat -Task ResetPasswords, ModifyGroupMembership
            $script:EngineCalls[0].Parameters['serviceAccount'] | Should -BeExactly 'EXAMPLE\jcsync-eu'
            @($script:EngineCalls[0].Parameters['tasks']) | Should -Be @('ResetPasswords')
            @($script:EngineCalls[1].Parameters['tasks']) | Should -Be @('ResetPasswords', 'ModifyGroupMembership')
            @($script:EngineCalls[1].Parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'serviceAccount', 'tasks')
        }

        It 'puts the password only in dc.bindPassword, as a SecureString until the bridge' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $splat = $script:Splat.Clone()
            $splat.Credential = New-TestCredential -Password $secret
            $null = Test-JCSyncDelegation @splat
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['dc']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
        }

        It 'uses port 389 for StartTls and resolves the CA file to an absolute path' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $null = Test-JCSyncDelegation @script:Splat -LdapMode StartTls -CertificateAuthorityFile $caFile -TimeoutSeconds 3
            $dc = $script:EngineCalls[0].Parameters['dc']
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (389 for starttls and ldap)'
            $dc['mode'] | Should -BeExactly 'starttls'
            $dc['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $dc['timeoutMs'] | Should -Be 3000
        }
    }

    Context 'errors' {
        It 'lets ServiceAccount.NotFound through as the cmdlet''s terminating error' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'No user account jcsync'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'ServiceAccount.NotFound', ([System.Management.Automation.ErrorCategory]::ObjectNotFound), 'jcsync'
                $Cmdlet.ThrowTerminatingError($record)
            }
            { Test-JCSyncDelegation @script:Splat } | Should -Throw -ErrorId 'ServiceAccount.NotFound,Test-JCSyncDelegation'
        }
    }
}
