# The README's promises hold from the checkout: every PowerShell block in README.md is checked.
# The blocks that can run here run as written (from the repository root, against the test DC where
# they say so); for every block, each command it calls is one this module exports (or PowerShell
# has) and every parameter it passes, splatted ones included, is one that command takes. The bash
# block (npm run demo / npm test) is what scripts/test.sh runs.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $readme = [System.IO.File]::ReadAllText((Join-Path -Path $repoRoot -ChildPath 'README.md'))
    $script:Blocks = @([regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object -Begin { $index = 0 } -Process {
            $index++
            @{ Index = $index; Code = $_.Groups[1].Value }
        })
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $script:SkipDC = $false
    if (-not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)) {
        $script:SkipDC = Confirm-TestSkip -Message "README test DC block skipped: no test DC ($dcFolder/connection.json; start it with 'npm run testdc:start')."
    }
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $script:DcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($script:DcFolder)) {
        $script:DcFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $script:RunBlock = {
        param([string] $Code)
        # A fresh pwsh in the repository root, as a reader would type it; the test DC's folder
        # stands where the README names it.
        $code = $Code.Replace('build/testdc/connection.json', (Join-Path -Path $script:DcFolder -ChildPath 'connection.json'))
        $file = Join-Path -Path $TestDrive -ChildPath ('block-{0}.ps1' -f [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $file -Value ("`$ErrorActionPreference = 'Stop'`n" + $code + "`n") -Encoding utf8
        Push-Location -LiteralPath $script:RepoRoot
        try {
            $pwsh = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
            $output = & $pwsh -NoProfile -NonInteractive -File $file 2>&1 | Out-String
            return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'README PowerShell block <Index>' -Tag 'Integration' -ForEach $Blocks {
    It 'calls only commands that exist, with parameters they take' {
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$errors)
        @($errors).Count | Should -Be 0
        $splats = @{}
        foreach ($assignment in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
            $hash = $assignment.Right.Find({ param($n) $n -is [System.Management.Automation.Language.HashtableAst] }, $true)
            if ($null -ne $hash) {
                $splats[$assignment.Left.Extent.Text.TrimStart('$')] = @($hash.KeyValuePairs | ForEach-Object { $_.Item1.Extent.Text.Trim("'", '"') })
            }
        }
        $problems = @(foreach ($command in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $name = $command.GetCommandName()
                if ([string]::IsNullOrEmpty($name) -or $name -in 'Import-Module') {
                    continue
                }
                $info = Get-Command -Name $name -ErrorAction SilentlyContinue
                if ($null -eq $info) {
                    "unknown command $name"
                    continue
                }
                $given = @($command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
                foreach ($element in @($command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.VariableExpressionAst] -and $_.Splatted })) {
                    $given += @($splats[$element.VariablePath.UserPath])
                }
                foreach ($parameter in $given) {
                    $known = @($info.Parameters.Values | Where-Object { $_.Name -eq $parameter -or $_.Aliases -contains $parameter })
                    if ($known.Count -eq 0 -and @($info.Parameters.Keys | Where-Object { $_ -like "$parameter*" }).Count -ne 1) {
                        "$name has no parameter -$parameter"
                    }
                }
            })
        $problems -join [Environment]::NewLine | Should -BeNullOrEmpty
    }
}

Describe 'README blocks that run here' -Tag 'Integration' {
    # One pwsh for both (a reader types the second block in the session of the first): the
    # engine and PowerShell start once.
    It 'runs the first block (Root User DN checks) and, with the test DC, the second, as written' {
        $code = $Blocks[0].Code
        if (-not $SkipDC) {
            $code += "'--- test DC block'`n" + $Blocks[1].Code
        }
        $run = & $script:RunBlock -Code $code
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'OU=Corporate Users,DC=example,DC=com'
        $run.Output | Should -Match 'False'
        if (-not $SkipDC) {
            $run.Output | Should -Match '--- test DC block'
            $run.Output | Should -Match 'DefaultNamingContext|TlsVerified|DnsHostName'
        }
    }
}
