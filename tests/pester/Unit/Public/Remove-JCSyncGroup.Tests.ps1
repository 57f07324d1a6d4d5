BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    $script:Splat = @{
        Group      = 'Sales'
        RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
        Server     = 'dc1.example.com'
        Credential = (New-TestCredential -UserName 'jcsync@example.com')
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Remove-JCSyncGroup' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = [ordered]@{} + $Parameters })
            $record = [pscustomobject]@{
                Group = 'Sales'; DistinguishedName = 'CN=Sales,OU=Corporate Users,DC=example,DC=com'; ObjectSid = 'S-1-5-21-1-2-3-1234'; JumpCloudId = 'g1'
                MemberCount = 2; Members = @('CN=manual1,OU=Corporate Users,DC=example,DC=com', 'CN=manual2,OU=Corporate Users,DC=example,DC=com')
                Action = $(if ($Parameters['whatIf']) { 'WouldRemove' } else { 'Removed' })
            }
            $record.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SyncGroupRemoval')
            $record
        }
    }

    It 'is a high-impact change: -WhatIf and -Confirm, ConfirmImpact High' {
        $command = Get-Command -Name Remove-JCSyncGroup
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
        $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'High'
    }

    It 'with -WhatIf lists what it would delete (the engine deletes nothing) and returns the listing' {
        $result = Remove-JCSyncGroup @script:Splat -WhatIf
        $script:EngineCalls.Count | Should -Be 1
        $script:EngineCalls[0].Command | Should -BeExactly 'group-remove'
        $script:EngineCalls[0].Parameters['whatIf'] | Should -BeTrue
        $script:EngineCalls[0].Parameters['group'] | Should -BeExactly 'Sales'
        $result.Action | Should -BeExactly 'WouldRemove'
        $result.ObjectSid | Should -BeExactly 'S-1-5-21-1-2-3-1234'
    }

    It 'confirmed, lists first, then deletes the very group it listed (by its DN)' {
        $result = Remove-JCSyncGroup @script:Splat -Confirm:$false
        $script:EngineCalls.Count | Should -Be 2
        $script:EngineCalls[0].Parameters['whatIf'] | Should -BeTrue
        $script:EngineCalls[1].Parameters['whatIf'] | Should -BeFalse
        $script:EngineCalls[1].Parameters['group'] | Should -BeExactly 'CN=Sales,OU=Corporate Users,DC=example,DC=com'
        $result.Action | Should -BeExactly 'Removed'
    }

    It 'sends the anchor key as a SecureString only when given' {
        $null = Remove-JCSyncGroup @script:Splat -WhatIf
        $script:EngineCalls[0].Parameters.Contains('anchorKey') | Should -BeFalse
        $null = Remove-JCSyncGroup @script:Splat -AnchorKey (New-JCSyncAnchorKey) -WhatIf
        $script:EngineCalls[1].Parameters['anchorKey'] | Should -BeOfType [System.Security.SecureString]
    }
}

Describe 'New-JCSyncAnchorKey' {
    It 'returns a fresh read-only SecureString holding 32 random bytes in base64' {
        $first = New-JCSyncAnchorKey
        $second = New-JCSyncAnchorKey
        $first | Should -BeOfType [System.Security.SecureString]
        $first.IsReadOnly() | Should -BeTrue
        $text = Get-PlainText -SecureString $first
        [System.Convert]::FromBase64String($text).Length | Should -Be 32
        $text | Should -Not -BeExactly (Get-PlainText -SecureString $second)
    }
}
