BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Start-JCSyncAgent' {
    BeforeEach {
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncAgentStatus'; Action = $Action; InstallPath = $InstallPath; TimeoutSeconds = $TimeoutSeconds; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name }
        }
    }

    It 'starts the service of the resolved folder and waits the given time' {
        Push-Location -LiteralPath $TestDrive
        try {
            $result = Start-JCSyncAgent -InstallPath './adi' -StartTimeoutSeconds 7
        }
        finally {
            Pop-Location
        }
        $result.Action | Should -BeExactly 'Start'
        $result.InstallPath | Should -BeExactly (Join-Path -Path (Resolve-Path -LiteralPath $TestDrive).ProviderPath -ChildPath 'adi')
        $result.TimeoutSeconds | Should -Be 7
        $result.CmdletName | Should -BeExactly 'Start-JCSyncAgent'
    }

    It 'binds InstallPath from the pipeline (Get-JCSyncAgent output) and supports -WhatIf' {
        $result = [pscustomobject]@{ InstallPath = (Join-Path -Path $TestDrive -ChildPath 'x') } | Start-JCSyncAgent
        $result.InstallPath | Should -BeExactly (Join-Path -Path $TestDrive -ChildPath 'x')
        Start-JCSyncAgent -InstallPath $TestDrive -WhatIf
        Should -Invoke InvokeJCAgentService -ModuleName JumpCloudADI -Times 1 -Exactly
    }

    It 'refuses a file as the install folder' {
        $file = Join-Path -Path $TestDrive -ChildPath 'a-file'
        Set-Content -LiteralPath $file -Value 'x'
        { Start-JCSyncAgent -InstallPath $file } | Should -Throw -ErrorId 'InstallPath.Invalid,Start-JCSyncAgent'
    }
}

Describe 'Stop-JCSyncAgent' {
    BeforeEach {
        Mock -ModuleName JumpCloudADI InvokeJCAgentService {
            [pscustomobject]@{ Action = $Action; InstallPath = $InstallPath; TimeoutSeconds = $TimeoutSeconds }
        }
    }

    It 'stops the service gracefully, waiting 60 s by default' {
        $result = Stop-JCSyncAgent -InstallPath $TestDrive
        $result.Action | Should -BeExactly 'Stop'
        $result.TimeoutSeconds | Should -Be 60
        $attribute = (Get-Command -Name Stop-JCSyncAgent).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $attribute.ConfirmImpact | Should -Be 'Medium'
    }

    It 'stops nothing with -WhatIf' {
        Stop-JCSyncAgent -InstallPath $TestDrive -WhatIf
        Should -Invoke InvokeJCAgentService -ModuleName JumpCloudADI -Times 0 -Exactly
    }
}
