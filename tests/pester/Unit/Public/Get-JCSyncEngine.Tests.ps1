BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Get-JCSyncEngine' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.EngineInfo'; Version = '0.1.0'; Node = 'v20.20.2'; Platform = 'linux'; Arch = 'x64'; Path = '/x/jcadi-engine' }
        }
    }

    It 'has no parameters of its own' {
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        @((Get-Command -Name Get-JCSyncEngine).Parameters.Keys | Where-Object { $common -notcontains $_ }) | Should -BeNullOrEmpty
    }

    It 'runs the engine command "version" without params, on behalf of the cmdlet' {
        $null = Get-JCSyncEngine
        Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
        $script:EngineCalls[0].Command | Should -BeExactly 'version'
        $script:EngineCalls[0].Parameters | Should -BeNullOrEmpty
        $script:EngineCalls[0].CmdletName | Should -BeExactly 'Get-JCSyncEngine'
    }

    It 'passes the engine''s record through' {
        $info = Get-JCSyncEngine
        $info.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.EngineInfo'
        $info.Version | Should -BeExactly '0.1.0'
    }

    It 'declares its output type' {
        (Get-Command -Name Get-JCSyncEngine).OutputType.Name | Should -Contain 'JumpCloudADI.EngineInfo'
    }
}
