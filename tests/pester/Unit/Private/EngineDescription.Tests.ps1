# The module reads the engine's exit codes and install-folder names from the engine (describe)
# instead of keeping copies: asked once per engine path and session, then used by GetJCAgentFiles,
# GetJCServiceHostFile and the bridge.

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    # The real engine's answer, captured now: the mocks below hand it to the module.
    $script:EngineDescription = Get-TestEngineDescription
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'GetJCEngineDescription' {
    BeforeEach {
        InModuleScope JumpCloudADI { $script:JCEngineDescriptions = @{} }
        $script:EnginePath = '/module/build/jcadi-engine'
        Mock -ModuleName JumpCloudADI FindJCEngine { $script:EnginePath }
        Mock -ModuleName JumpCloudADI InvokeJCEngine { $script:EngineDescription }
    }

    It 'is the real engine''s describe record: every exit code and the install files' {
        $script:EngineDescription.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.EngineDescription'
        @($script:EngineDescription.ExitCodes | ForEach-Object { $_.Code }) | Should -Be @(0, 1, 2, 3, 4, 5, 10)
        $script:EngineDescription.InstallFiles.Config | Should -BeExactly 'agent.json'
        $script:EngineDescription.InstallFiles.ServiceHost | Should -BeExactly 'jcadi-service.exe'
    }

    It 'asks the engine once per engine path and session' {
        $first = InModuleScope JumpCloudADI { GetJCEngineDescription }
        $second = InModuleScope JumpCloudADI { GetJCEngineDescription }
        $first.InstallFiles.Config | Should -BeExactly $script:EngineDescription.InstallFiles.Config
        $second.InstallFiles.Config | Should -BeExactly $script:EngineDescription.InstallFiles.Config
        Should -Invoke -ModuleName JumpCloudADI InvokeJCEngine -Times 1 -Exactly -ParameterFilter { $Command -eq 'describe' }

        $script:EnginePath = '/other/module/bin/jcadi-engine'
        $null = InModuleScope JumpCloudADI { GetJCEngineDescription }
        Should -Invoke -ModuleName JumpCloudADI InvokeJCEngine -Times 2 -Exactly -ParameterFilter { $Command -eq 'describe' }
    }

    It 'refuses an answer without exit codes or install files (Engine.ProtocolError) and keeps nothing' {
        Mock -ModuleName JumpCloudADI InvokeJCEngine { [pscustomobject]@{ Version = '9.9.9' } }
        { InModuleScope JumpCloudADI { GetJCEngineDescription } } | Should -Throw -ErrorId 'Engine.ProtocolError*'
        InModuleScope JumpCloudADI { $script:JCEngineDescriptions.Count } | Should -Be 0
    }
}

Describe 'the module uses the engine''s install-folder names' {
    BeforeEach {
        InModuleScope JumpCloudADI { $script:JCEngineDescriptions = @{} }
        Mock -ModuleName JumpCloudADI FindJCEngine { '/module/build/jcadi-engine' }
        Mock -ModuleName JumpCloudADI InvokeJCEngine { $script:EngineDescription }
    }

    It 'GetJCAgentFiles joins the folder with describe''s Engine, ServiceHost and Config' {
        $files = InModuleScope JumpCloudADI { GetJCAgentFiles -InstallPath '/opt/jumpcloudadi' }
        $files.Engine | Should -BeExactly ([System.IO.Path]::Combine('/opt/jumpcloudadi', $script:EngineDescription.InstallFiles.Engine))
        $files.ServiceHost | Should -BeExactly ([System.IO.Path]::Combine('/opt/jumpcloudadi', $script:EngineDescription.InstallFiles.ServiceHost))
        $files.Config | Should -BeExactly ([System.IO.Path]::Combine('/opt/jumpcloudadi', $script:EngineDescription.InstallFiles.Config))
    }

    It 'follows the engine when its names change (no copy left in the module)' {
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            [pscustomobject]@{
                ExitCodes    = $script:EngineDescription.ExitCodes
                InstallFiles = [pscustomobject]@{ Engine = 'engine-v2'; ServiceHost = 'host-v2.exe'; Config = 'agent-v2.json'; KeyFile = 'k'; State = 's'; Journal = 'j'; Pid = 'p'; Log = 'l' }
            }
        }
        Mock -ModuleName JumpCloudADI TestJCIsWindows { $true }
        $files = InModuleScope JumpCloudADI { GetJCAgentFiles -InstallPath '/opt/x' }
        $files.Engine | Should -BeExactly ([System.IO.Path]::Combine('/opt/x', 'engine-v2'))
        $files.ServiceHost | Should -BeExactly ([System.IO.Path]::Combine('/opt/x', 'host-v2.exe'))
        $files.Config | Should -BeExactly ([System.IO.Path]::Combine('/opt/x', 'agent-v2.json'))
        InModuleScope JumpCloudADI { GetJCServiceHostFile -EngineFile 'D:\Modules\JumpCloudADI\bin\jcadi-engine.exe' } | Should -BeExactly 'D:\Modules\JumpCloudADI\bin\host-v2.exe'
    }

    It 'keeps no copy of the names or the exit-code meanings in the module' {
        $moduleText = (Get-ChildItem -Path (Join-Path -Path $script:RepoRoot -ChildPath 'module') -Filter '*.ps1' -Recurse -File | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw }) -join "`n"
        $moduleText += Get-Content -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'module/JumpCloudADI.psm1') -Raw
        $moduleText | Should -Not -Match '\$script:JCServiceHostName'
        $moduleText | Should -Not -Match "'jcadi-service\.exe'"
        $moduleText | Should -Not -Match "'agent\.json'"
        $moduleText | Should -Not -Match 'a safety rule refused the operation'
    }
}
