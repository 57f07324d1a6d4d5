BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force

    function New-GrantSplat {
        return @{
            RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
            Server     = 'dc1.example.com'
            Credential = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }

    # What the engine lists with whatIf: one ACE already there, two to add.
    $script:WhatIfOutput = @{
        'delegation-grant' = @(
            @{ RecordType = 'JumpCloudADI.DelegationChange'; Task = 'ResetPasswords'; Title = 'Reset user passwords and force password change at next logon'; Ace = '(OA;CIIO;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105)'; Action = 'AlreadyPresent' }
            @{ RecordType = 'JumpCloudADI.DelegationChange'; Task = 'ResetPasswords'; Title = 'Reset user passwords and force password change at next logon'; Ace = '(OA;CIIO;RPWP;bf967a0a-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105)'; Action = 'WouldAdd' }
            @{ RecordType = 'JumpCloudADI.DelegationChange'; Task = 'ReadUserInformation'; Title = 'Read all user information'; Ace = '(OA;CIIO;RP;;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105)'; Action = 'WouldAdd' }
        )
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Grant-JCSyncDelegation' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.DelegationChange'; Task = 'ResetPasswords'; Action = 'Added'; Ace = '(OA;CIIO;CR;...)' }
        }
    }

    Context 'parameters' {
        It 'supports ShouldProcess with ConfirmImpact Medium' {
            $command = Get-Command -Name Grant-JCSyncDelegation
            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
            $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
        }

        It 'RootUserDN, Server and Credential are mandatory; Task takes the five wizard tasks' {
            foreach ($name in 'RootUserDN', 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName Grant-JCSyncDelegation -ParameterName $name)[0].Mandatory | Should -BeTrue
            }
            $validateSet = (Get-Command -Name Grant-JCSyncDelegation).Parameters['Task'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($validateSet.ValidValues).Count | Should -Be 5
        }
    }

    Context 'a real grant' {
        It 'sends delegation-grant with whatIf false and returns the changes' {
            $splat = New-GrantSplat
            $results = @(Grant-JCSyncDelegation @splat -Confirm:$false)
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'delegation-grant'
            $call.CmdletName | Should -BeExactly 'Grant-JCSyncDelegation'
            @($call.Parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'serviceAccount', 'whatIf')
            $call.Parameters['whatIf'] | Should -BeFalse
            $call.Parameters['serviceAccount'] | Should -BeExactly 'jcsync'
            $call.Parameters['dc']['bindDN'] | Should -BeExactly 'Administrator@example.com'
            $results.Count | Should -Be 1
            $results[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.DelegationChange'
        }

        It 'sends only the chosen tasks' {
            $splat = New-GrantSplat
            $null = Grant-JCSyncDelegation @splat -Task ResetPasswords, ReadUserInformation -ServiceAccount 'jcsync@example.com' -Confirm:$false
            @($script:EngineCalls[0].Parameters['tasks']) | Should -Be @('ResetPasswords', 'ReadUserInformation')
            $script:EngineCalls[0].Parameters['serviceAccount'] | Should -BeExactly 'jcsync@example.com'
        }

        It 'writes nothing when the confirmation is declined' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-GrantSplat) -ScriptBlock {
                param($splat)
                Grant-JCSyncDelegation @splat -Confirm
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 1
            $run.EngineCalls.Count | Should -Be 0
        }
    }

    Context '-WhatIf' {
        It 'asks the engine with whatIf true and prints one "What if:" line per ACE to add, nothing on the pipeline' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -EngineOutput $script:WhatIfOutput -ArgumentList (New-GrantSplat) -ScriptBlock {
                param($splat)
                Grant-JCSyncDelegation @splat -WhatIf
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Output.Count | Should -Be 0
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('delegation-grant')
            $run.EngineCalls[0].Parameters['whatIf'] | Should -BeTrue
            $whatIf = @($run.HostLines | Where-Object { $_ -like 'What if:*' })
            $whatIf.Count | Should -Be 2 -Because 'the ACE already present is not added'
            $whatIf[0] | Should -BeExactly 'What if: Performing the operation "Add the ACE (OA;CIIO;RPWP;bf967a0a-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105) (Reset user passwords and force password change at next logon) for jcsync" on target "OU=Corporate Users;DC=example;DC=com".'
            $whatIf[1] | Should -Match 'Read all user information'
        }
    }
}
