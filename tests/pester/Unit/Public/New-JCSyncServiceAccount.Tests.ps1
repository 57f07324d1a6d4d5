BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force

    function New-AccountSplat {
        param([string] $Password = ('Pw-' + [guid]::NewGuid().ToString('N')))
        return @{
            Path       = 'CN=Users;DC=example;DC=com'
            Password   = (ConvertTo-SecureString -String $Password -AsPlainText -Force)
            Server     = 'dc1.example.com'
            Credential = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'New-JCSyncServiceAccount' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.ServiceAccount'; SamAccountName = $Parameters['samAccountName']; Created = -not $Parameters['whatIf'] }
        }
    }

    Context 'parameters' {
        It 'Path, Password (SecureString), Server and Credential are mandatory; the guide''s names are the defaults' {
            $command = Get-Command -Name New-JCSyncServiceAccount
            foreach ($name in 'Path', 'Password', 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName New-JCSyncServiceAccount -ParameterName $name)[0].Mandatory | Should -BeTrue -Because "-$name is needed"
            }
            $command.Parameters['Password'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $splat = New-AccountSplat
            $null = New-JCSyncServiceAccount @splat -Confirm:$false
            $sent = $script:EngineCalls[0].Parameters
            $sent['samAccountName'] | Should -BeExactly 'jcsync'
            $sent['givenName'] | Should -BeExactly 'JumpCloud'
            $sent['surname'] | Should -BeExactly 'Sync'
        }

        It 'refuses the logon name JumpCloud and names longer than 20 characters, before the engine' {
            $splat = New-AccountSplat
            { New-JCSyncServiceAccount @splat -SamAccountName 'jumpcloud' -Confirm:$false } | Should -Throw -ErrorId 'ServiceAccount.NameNotAllowed,New-JCSyncServiceAccount'
            { New-JCSyncServiceAccount @splat -SamAccountName ('x' * 21) -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the service-account-create request' {
        It 'sends the container, the names and the password (a SecureString until the bridge)' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $splat = New-AccountSplat -Password $secret
            $result = New-JCSyncServiceAccount @splat -SamAccountName 'jcsync2' -UserPrincipalName 'jcsync2@corp.example.com' -Description 'Sync' -Confirm:$false
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'service-account-create'
            $call.CmdletName | Should -BeExactly 'New-JCSyncServiceAccount'
            @($call.Parameters.Keys) | Should -Be @('dc', 'container', 'samAccountName', 'givenName', 'surname', 'description', 'password', 'userPrincipalName', 'whatIf')
            $call.Parameters['container'] | Should -BeExactly 'CN=Users;DC=example;DC=com'
            $call.Parameters['userPrincipalName'] | Should -BeExactly 'jcsync2@corp.example.com'
            $call.Parameters['whatIf'] | Should -BeFalse
            $call.Parameters['password'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $call.Parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ServiceAccount'
            $result.Created | Should -BeTrue
        }

        It 'with -WhatIf lets the engine check the container and the name, creates nothing and outputs nothing' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -ArgumentList (New-AccountSplat) -ScriptBlock {
                param($splat)
                New-JCSyncServiceAccount @splat -WhatIf
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Output.Count | Should -Be 0
            $run.EngineCalls.Count | Should -Be 1
            $run.EngineCalls[0].Parameters['whatIf'] | Should -BeTrue
            @($run.HostLines | Where-Object { $_ -like 'What if:*' }) | Should -Be @('What if: Performing the operation "Create the sync service account" on target "JumpCloud Sync (jcsync) in CN=Users;DC=example;DC=com on dc1.example.com".')
        }

        It 'does nothing when the confirmation is declined' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-AccountSplat) -ScriptBlock {
                param($splat)
                New-JCSyncServiceAccount @splat -Confirm
            }
            $run.Prompts.Count | Should -Be 1
            $run.EngineCalls.Count | Should -Be 0
        }
    }
}
