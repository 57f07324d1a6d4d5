BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Approve-JCSyncSafetyLimit' {
    BeforeEach {
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            [pscustomobject]@{ Command = $Command; Parameters = $Parameters; Kind = $Parameters['kind']; Approved = 6; WhatIf = [bool]$Parameters['whatIf'] }
        }
    }

    It 'sends the kind and the agent folder to safety-approve and tags the result' {
        $result = Approve-JCSyncSafetyLimit -SafetyKind disable -InstallPath $TestDrive -Confirm:$false
        $result.Command | Should -BeExactly 'safety-approve'
        $result.Parameters['kind'] | Should -BeExactly 'disable'
        $result.Parameters['installPath'] | Should -BeExactly (Resolve-Path -LiteralPath $TestDrive).ProviderPath
        $result.Parameters.Contains('count') | Should -BeFalse
        $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SafetyApproval'
    }

    It 'passes -Count' {
        $result = Approve-JCSyncSafetyLimit -SafetyKind rename -Count 200 -InstallPath $TestDrive -Confirm:$false
        $result.Parameters['count'] | Should -Be 200
    }

    It 'asks the engine with whatIf under -WhatIf and writes nothing' {
        Approve-JCSyncSafetyLimit -SafetyKind disable -InstallPath $TestDrive -WhatIf
        Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Parameters['whatIf'] -eq $true }
    }

    It 'accepts exactly the engine''s safety kinds (passwordChange included) and passes each through' {
        $source = Get-Content -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'engine/src/sync/safety-limit.ts') -Raw
        $list = [regex]::Match($source, 'SAFETY_KINDS = \[([^\]]+)\]').Groups[1].Value
        $engineKinds = @([regex]::Matches($list, "'([A-Za-z]+)'") | ForEach-Object { $_.Groups[1].Value })
        $engineKinds | Should -Contain 'passwordChange'
        $validate = (Get-Command -Name Approve-JCSyncSafetyLimit).Parameters['SafetyKind'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        @($validate.ValidValues | Sort-Object) | Should -Be @($engineKinds | Sort-Object)
        foreach ($kind in $engineKinds) {
            $result = Approve-JCSyncSafetyLimit -SafetyKind $kind -InstallPath $TestDrive -Confirm:$false
            $result.Parameters['kind'] | Should -BeExactly $kind
        }
    }

    It 'refuses an unknown kind and has a high confirm impact' {
        { Approve-JCSyncSafetyLimit -SafetyKind everything -InstallPath $TestDrive } | Should -Throw
        $attribute = (Get-Command -Name Approve-JCSyncSafetyLimit).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $attribute.ConfirmImpact | Should -Be 'High'
    }
}
