BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force
    # The engine's own exit codes and install-folder names (its describe answer), as the module reads them.
    $script:EngineDescription = Get-TestEngineDescription
    Mock -ModuleName JumpCloudADI GetJCEngineDescription { $script:EngineDescription }

    function New-ResetSplat {
        param([string] $Password = ('Pw-' + [guid]::NewGuid().ToString('N')))
        return @{
            NewPassword = (ConvertTo-SecureString -String $Password -AsPlainText -Force)
            Server      = 'dc1.example.com'
            Credential  = (New-TestCredential -UserName 'Administrator@example.com')
        }
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Reset-JCSyncServiceAccountPassword' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.ServiceAccountRotation'; ServiceAccount = $Parameters['serviceAccount']; ChangedInAD = $true; Verified = $Parameters['verifyBind'] }
        }
        # The platform's default install folder, empty unless a test installs an agent there.
        $script:DefaultInstall = Join-Path -Path $TestDrive -ChildPath ('default-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:DefaultInstall
        Mock -ModuleName JumpCloudADI ResolveJCInstallPath -ParameterFilter { [string]::IsNullOrEmpty($InstallPath) } { $script:DefaultInstall }
    }

    Context 'parameters' {
        It 'NewPassword is a mandatory SecureString; ConfirmImpact is High' {
            $command = Get-Command -Name Reset-JCSyncServiceAccountPassword
            (Get-ParameterInfo -CommandName Reset-JCSyncServiceAccountPassword -ParameterName NewPassword)[0].Mandatory | Should -BeTrue
            $command.Parameters['NewPassword'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters['SkipBindCheck'].ParameterType | Should -Be ([switch])
            $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        }
    }

    Context 'the service-account-rotate request' {
        It 'sends the account (jcsync by default), the new password and a bind check' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $splat = New-ResetSplat -Password $secret
            $result = Reset-JCSyncServiceAccountPassword @splat -Confirm:$false
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'service-account-rotate'
            $call.CmdletName | Should -BeExactly 'Reset-JCSyncServiceAccountPassword'
            @($call.Parameters.Keys) | Should -Be @('dc', 'serviceAccount', 'newPassword', 'verifyBind')
            $call.Parameters['serviceAccount'] | Should -BeExactly 'jcsync'
            $call.Parameters['verifyBind'] | Should -BeTrue
            $call.Parameters['newPassword'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $call.Parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ServiceAccountRotation'
        }

        It 'sends verifyBind false with -SkipBindCheck and the account given by position' {
            $splat = New-ResetSplat
            $null = Reset-JCSyncServiceAccountPassword 'EXAMPLE\jcsync-eu' @splat -SkipBindCheck -Confirm:$false
            $script:EngineCalls[0].Parameters['serviceAccount'] | Should -BeExactly 'EXAMPLE\jcsync-eu'
            $script:EngineCalls[0].Parameters['verifyBind'] | Should -BeFalse
        }

        It 'adds the agent installed in the default folder (installPath)' {
            Set-Content -LiteralPath (Join-Path -Path $script:DefaultInstall -ChildPath 'agent.json') -Value '{}'
            $splat = New-ResetSplat
            $null = Reset-JCSyncServiceAccountPassword @splat -Confirm:$false
            @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('dc', 'serviceAccount', 'newPassword', 'verifyBind', 'installPath')
            $script:EngineCalls[0].Parameters['installPath'] | Should -BeExactly $script:DefaultInstall
            $null = Reset-JCSyncServiceAccountPassword @splat -WhatIf
            $script:EngineCalls.Count | Should -Be 1 -Because '-WhatIf reaches neither AD nor the config'
        }

        It 'sends -InstallPath resolved to an absolute folder, also when no agent is in the default folder' {
            $folder = Join-Path -Path $TestDrive -ChildPath 'Custom Agent'
            $null = New-Item -ItemType Directory -Path $folder -Force
            Push-Location -LiteralPath $TestDrive
            try {
                $splat = New-ResetSplat
                $null = Reset-JCSyncServiceAccountPassword @splat -InstallPath 'Custom Agent' -Confirm:$false
            }
            finally {
                Pop-Location
            }
            $script:EngineCalls[0].Parameters['installPath'] | Should -BeExactly (Resolve-Path -LiteralPath $folder).ProviderPath
        }

        It 'sends no installPath when no agent is installed in the default folder' {
            $splat = New-ResetSplat
            $null = Reset-JCSyncServiceAccountPassword @splat -Confirm:$false
            $script:EngineCalls[0].Parameters.Contains('installPath') | Should -BeFalse
        }

        It 'refuses an install path that is not a file-system folder, before reaching the engine' {
            $file = Join-Path -Path $TestDrive -ChildPath 'not-a-folder.txt'
            Set-Content -LiteralPath $file -Value 'x'
            $splat = New-ResetSplat
            { Reset-JCSyncServiceAccountPassword @splat -InstallPath $file -Confirm:$false } | Should -Throw -ErrorId 'InstallPath.Invalid*'
            $script:EngineCalls.Count | Should -Be 0
        }

        It 'asks before changing the password (High impact) and does nothing when declined' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-ResetSplat) -ScriptBlock {
                param($splat)
                Reset-JCSyncServiceAccountPassword @splat
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 1 -Because 'the default confirmation preference stops at High impact'
            $run.EngineCalls.Count | Should -Be 0
        }

        It 'with -WhatIf prints what it would do and never reaches the engine' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -ArgumentList (New-ResetSplat) -ScriptBlock {
                param($splat)
                Reset-JCSyncServiceAccountPassword @splat -WhatIf
            }
            $run.EngineCalls.Count | Should -Be 0
            @($run.HostLines | Where-Object { $_ -like 'What if:*' }) | Should -Be @('What if: Performing the operation "Set a new password for the sync service account" on target "jcsync on dc1.example.com".')
        }
    }
}
