# General checks of the module: manifest, exports, help, and that every source file parses and
# stays within what Windows PowerShell 5.1 understands.

BeforeDiscovery {
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $moduleFolder = Join-Path -Path $repoRoot -ChildPath 'module'

    $publicCommands = @(Get-ChildItem -Path (Join-Path -Path $moduleFolder -ChildPath 'Public') -Filter '*.ps1' -File | ForEach-Object { $_.BaseName })

    $sourceFiles = @(
        Get-ChildItem -Path $moduleFolder -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1'
        Get-Item -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'JumpCloudADI.psd1')
    ) | ForEach-Object {
        @{ Name = $_.FullName.Substring($repoRoot.Length + 1); FullName = $_.FullName }
    }

    $textFiles = @(
        Get-ChildItem -Path $moduleFolder -Recurse -File
        Get-ChildItem -Path (Join-Path -Path $repoRoot -ChildPath 'en-US') -Recurse -File
        Get-Item -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'JumpCloudADI.psd1')
    ) | ForEach-Object {
        @{ Name = $_.FullName.Substring($repoRoot.Length + 1); FullName = $_.FullName }
    }

    # One snippet per rule of the 5.1 checker: each must be flagged (proves the checker can fail).
    $forbiddenSnippets = @(
        @{ Name = 'ternary'; Code = '$a = $true ? 1 : 2'; Rule = 'Ternary' }
        @{ Name = '&& chain'; Code = 'Get-Item . && Get-Item .'; Rule = 'Pipeline chain' }
        @{ Name = '|| chain'; Code = 'Get-Item . || Get-Item .'; Rule = 'Pipeline chain' }
        @{ Name = 'null coalescing'; Code = '$b = $a ?? 1'; Rule = 'Null-coalescing operator' }
        @{ Name = 'null coalescing assignment'; Code = '$a ??= 1'; Rule = 'Null-coalescing assignment' }
        @{ Name = 'null-conditional member'; Code = '${a}?.Length'; Rule = 'Null-conditional' }
        @{ Name = 'null-conditional method'; Code = '${a}?.ToString()'; Rule = 'Null-conditional' }
        @{ Name = 'null-conditional index'; Code = '${a}?[0]'; Rule = 'Null-conditional' }
        @{ Name = 'ForEach-Object -Parallel'; Code = '1..3 | ForEach-Object -Parallel { $_ }'; Rule = 'ForEach-Object -Parallel' }
        @{ Name = '% -Para (alias, prefix)'; Code = '1..3 | % -Para { $_ }'; Rule = 'ForEach-Object -Parallel' }
        @{ Name = 'clean block'; Code = 'function f { process { 1 } clean { 2 } }'; Rule = 'clean block' }
        @{ Name = 'ConvertFrom-Json -AsHashtable'; Code = 'ConvertFrom-Json -InputObject "{}" -AsHashtable'; Rule = 'ConvertFrom-Json -AsHashtable' }
        @{ Name = 'ConvertFrom-Json -Depth'; Code = '"{}" | ConvertFrom-Json -Depth 5'; Rule = 'ConvertFrom-Json -Depth' }
        @{ Name = 'Join-Path -AdditionalChildPath'; Code = 'Join-Path -Path a -ChildPath b -AdditionalChildPath c'; Rule = 'Join-Path -AdditionalChildPath' }
        @{ Name = 'Join-Path with 3 positional paths'; Code = 'Join-Path a b c'; Rule = 'Join-Path with more than 2' }
        @{ Name = '$IsWindows'; Code = 'if ($IsWindows) { 1 }'; Rule = 'IsWindows' }
        @{ Name = 'System.Text.Json'; Code = '[System.Text.Json.JsonSerializer]::Serialize(1)'; Rule = 'System.Text.Json' }
        @{ Name = 'background operator'; Code = 'Start-Sleep -Seconds 1 &'; Rule = 'Background operator' }
        @{ Name = 'escape `e'; Code = '$esc = "`e[0m"'; Rule = 'Escape' }
        @{ Name = 'Get-Error'; Code = 'Get-Error -Newest 1'; Rule = 'Command Get-Error' }
        @{ Name = 'Get-Content -AsByteStream'; Code = 'gc -Path x -AsByteStream'; Rule = 'Get-Content -AsByteStream' }
        @{ Name = 'parse error'; Code = 'function f( {'; Rule = 'ParseError' }
    )

    # 5.1-compatible code that must pass the checker (guards against a checker that flags everything).
    $allowedSnippets = @(
        @{ Name = 'if as expression'; Code = '$x = if ($a) { 1 } else { 2 }' }
        @{ Name = 'Join-Path with two paths'; Code = 'Join-Path -Path a -ChildPath b; Join-Path a b' }
        @{ Name = 'ConvertFrom-Json -InputObject'; Code = 'ConvertFrom-Json -InputObject "{}"' }
        @{ Name = 'ConvertTo-Json -Depth'; Code = '@{a=1} | ConvertTo-Json -Depth 20 -Compress' }
        @{ Name = 'ForEach-Object -Process'; Code = '1..3 | ForEach-Object -Process { $_ } | % { $_ }' }
        @{ Name = 'plain escapes'; Code = '$s = "a`r`nb`t"' }
        @{ Name = 'a variable named like a 7-only one'; Code = '$isWindowsHost = $true; $isWindowsHost' }
        @{ Name = 'static member and -and/-or'; Code = '$ok = [string]::IsNullOrEmpty($a) -and ($b -or $c)' }
    )
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    $script:ModuleFolder = Join-Path -Path $script:RepoRoot -ChildPath 'module'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/Ps51Compat.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    $script:Module = Import-Module -Name $script:ManifestPath -Force -PassThru
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Module manifest' {
    BeforeAll {
        $script:ManifestData = Import-PowerShellDataFile -Path $script:ManifestPath
        $script:PublicNames = @(Get-ChildItem -Path (Join-Path -Path $script:ModuleFolder -ChildPath 'Public') -Filter '*.ps1' -File | ForEach-Object { $_.BaseName })
        $privateAst = @(Get-ChildItem -Path (Join-Path -Path $script:ModuleFolder -ChildPath 'Private') -Filter '*.ps1' -File | ForEach-Object {
                [System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref]$null, [ref]$null)
            })
        $script:PrivateNames = @($privateAst | ForEach-Object {
                $_.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) | ForEach-Object { $_.Name }
            })
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $script:ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'declares version 0.1.0, Windows PowerShell 5.1 and both editions' {
        $script:ManifestData.ModuleVersion | Should -Be '0.1.0'
        $script:ManifestData.PowerShellVersion | Should -Be '5.1'
        $script:ManifestData.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $script:ManifestData.RootModule | Should -Be 'module/JumpCloudADI.psm1'
        $script:ManifestData.GUID | Should -Match '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
        $script:ManifestData.Author | Should -Not -BeNullOrEmpty
        $script:ManifestData.Description | Should -Not -BeNullOrEmpty
    }

    It 'lists exports explicitly, without wildcards' {
        foreach ($key in 'FunctionsToExport', 'CmdletsToExport', 'VariablesToExport', 'AliasesToExport') {
            $script:ManifestData.ContainsKey($key) | Should -BeTrue -Because "$key must be explicit"
            @($script:ManifestData[$key]) -join ',' | Should -Not -Match '\*' -Because "$key must not use wildcards"
        }
        @($script:ManifestData.CmdletsToExport).Count | Should -Be 0
        @($script:ManifestData.VariablesToExport).Count | Should -Be 0
        @($script:ManifestData.AliasesToExport).Count | Should -Be 0
    }

    It 'FunctionsToExport equals exactly the files in module/Public' {
        @($script:ManifestData.FunctionsToExport | Sort-Object) | Should -Be @($script:PublicNames | Sort-Object)
    }

    It 'exports exactly the public functions once imported' {
        @($script:Module.ExportedFunctions.Keys | Sort-Object) | Should -Be @($script:PublicNames | Sort-Object)
        @($script:Module.ExportedCmdlets.Keys).Count | Should -Be 0
        @($script:Module.ExportedAliases.Keys).Count | Should -Be 0
        @($script:Module.ExportedVariables.Keys).Count | Should -Be 0
    }

    It 'has private helpers, none exported and none with a hyphen in its name' {
        $script:PrivateNames | Should -Contain 'InvokeJCEngine'
        $script:PrivateNames | Should -Contain 'FindJCEngine'
        $script:PrivateNames | Should -Contain 'NewJCDcBlock'
        foreach ($name in $script:PrivateNames) {
            $name | Should -Not -Match '-' -Because 'private helpers have no hyphen, so they can never be exported by accident'
            $script:Module.ExportedFunctions.Keys | Should -Not -Contain $name
            Get-Command -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because "$name must not be visible outside the module"
        }
    }

    It 'defines one public function per file, named like the file' {
        foreach ($name in $script:PublicNames) {
            $path = Join-Path -Path (Join-Path -Path $script:ModuleFolder -ChildPath 'Public') -ChildPath "$name.ps1"
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$null, [ref]$null)
            $functions = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
            $functions.Count | Should -Be 1
            $functions[0].Name | Should -BeExactly $name
        }
    }

    It 'defines one private function per file, named like the file' {
        foreach ($file in @(Get-ChildItem -Path (Join-Path -Path $script:ModuleFolder -ChildPath 'Private') -Filter '*.ps1' -File)) {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
            $functions = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
            $functions.Count | Should -Be 1 -Because "$($file.Name) must hold exactly one function"
            $functions[0].Name | Should -BeExactly $file.BaseName
        }
    }

    It 'finds its about_ topic beside the manifest (Get-Help about_JumpCloudADI from the checkout)' {
        Test-Path -LiteralPath (Join-Path -Path $script:Module.ModuleBase -ChildPath 'en-US/about_JumpCloudADI.help.txt') -PathType Leaf | Should -BeTrue
        $help = Get-Help -Name about_JumpCloudADI -ErrorAction Stop
        ($help | Out-String) | Should -Match 'about_JumpCloudADI'
        ($help | Out-String) | Should -Match 'Install-JCSyncAgent'
    }

    It 'loads table views for the three record types' {
        $formatPath = Join-Path -Path $script:RepoRoot -ChildPath $script:ManifestData.FormatsToProcess[0]
        Test-Path -LiteralPath $formatPath | Should -BeTrue
        foreach ($typeName in 'JumpCloudADI.RootDNResult', 'JumpCloudADI.DomainControllerInfo', 'JumpCloudADI.EngineInfo') {
            $formatData = Get-FormatData -TypeName $typeName
            $formatData | Should -Not -BeNullOrEmpty -Because "$typeName needs a view"
            $formatData.FormatViewDefinition[0].Control.GetType().Name | Should -Be 'TableControl'
        }
    }
}

Describe 'Cmdlet parameters' {
    BeforeAll {
        # Every parameter of every public cmdlet, from the source: name, type, validation and default.
        $script:ParameterRows = @(foreach ($file in @(Get-ChildItem -Path (Join-Path -Path $script:ModuleFolder -ChildPath 'Public') -Filter '*.ps1' -File)) {
                $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
                $function = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))[0]
                if ($null -eq $function.Body.ParamBlock) {
                    continue
                }
                foreach ($parameter in $function.Body.ParamBlock.Parameters) {
                    $types = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.Language.TypeConstraintAst] } | ForEach-Object { $_.TypeName.FullName })
                    $validation = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.Language.AttributeAst] -and ($_.TypeName.Name -like 'Validate*' -or $_.TypeName.Name -like 'Allow*') } | ForEach-Object { $_.Extent.Text } | Sort-Object)
                    $aliases = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.Language.AttributeAst] -and $_.TypeName.Name -eq 'Alias' } | ForEach-Object { $_.PositionalArguments | ForEach-Object { $_.SafeGetValue() } })
                    $default = $null
                    if ($null -ne $parameter.DefaultValue) {
                        $default = $parameter.DefaultValue.Extent.Text
                    }
                    [pscustomobject]@{
                        Cmdlet     = $file.BaseName
                        Name       = $parameter.Name.VariablePath.UserPath
                        Type       = $types -join ','
                        Validation = $validation -join ' '
                        Default    = $default
                        Aliases    = $aliases
                    }
                }
            })
    }

    It 'reads the parameters of every cmdlet (guards against an empty scan)' {
        $script:ParameterRows.Count | Should -BeGreaterThan 100
        @($script:ParameterRows | Where-Object { $_.Name -eq 'TimeoutSeconds' -and $_.Default -eq '10' }).Count | Should -BeGreaterThan 5
    }

    It 'gives each parameter name one type across all cmdlets' {
        $clashes = @($script:ParameterRows | Group-Object -Property Name | Where-Object { @($_.Group | ForEach-Object { $_.Type } | Sort-Object -Unique).Count -gt 1 } | ForEach-Object {
                '-{0}: {1}' -f $_.Name, (($_.Group | ForEach-Object { '{0} in {1}' -f $_.Type, $_.Cmdlet }) -join '; ')
            })
        $clashes -join [Environment]::NewLine | Should -BeNullOrEmpty
    }

    It 'gives each parameter name one validation across all cmdlets' {
        $clashes = @($script:ParameterRows | Group-Object -Property Name | Where-Object { @($_.Group | ForEach-Object { $_.Validation } | Sort-Object -Unique).Count -gt 1 } | ForEach-Object {
                '-{0}: {1}' -f $_.Name, (($_.Group | ForEach-Object { '"{0}" in {1}' -f $_.Validation, $_.Cmdlet }) -join '; ')
            })
        $clashes -join [Environment]::NewLine | Should -BeNullOrEmpty
    }

    It 'gives each parameter name one default across all cmdlets (a cmdlet may declare none)' {
        $clashes = @($script:ParameterRows | Where-Object { $null -ne $_.Default } | Group-Object -Property Name | Where-Object { @($_.Group | ForEach-Object { $_.Default } | Sort-Object -Unique).Count -gt 1 } | ForEach-Object {
                '-{0}: {1}' -f $_.Name, (($_.Group | ForEach-Object { '{0} in {1}' -f $_.Default, $_.Cmdlet }) -join '; ')
            })
        $clashes -join [Environment]::NewLine | Should -BeNullOrEmpty
    }

    It 'declares the defaults the block builders apply ($script:JCParameterDefaults)' {
        $defaults = & (Get-Module -Name JumpCloudADI) { $script:JCParameterDefaults }
        $defaults.Count | Should -BeGreaterThan 0
        foreach ($name in $defaults.Keys) {
            $declared = @($script:ParameterRows | Where-Object { $_.Name -eq $name -and $null -ne $_.Default })
            $declared.Count | Should -BeGreaterThan 0 -Because "-$name has a module default, so cmdlets declare it"
            foreach ($row in $declared) {
                $value = [System.Management.Automation.Language.Parser]::ParseInput($row.Default, [ref]$null, [ref]$null).EndBlock.Statements[0].PipelineElements[0].Expression.SafeGetValue()
                $value | Should -Be $defaults[$name] -Because "$($row.Cmdlet) declares -$name = $($row.Default)"
            }
        }
    }

    It 'gives each alias one parameter across all cmdlets' {
        $clashes = @($script:ParameterRows | ForEach-Object {
                $row = $_
                $row.Aliases | ForEach-Object { [pscustomobject]@{ Alias = $_; Name = $row.Name } }
            } | Group-Object -Property Alias | Where-Object { @($_.Group | ForEach-Object { $_.Name } | Sort-Object -Unique).Count -gt 1 } | ForEach-Object {
                'alias {0}: {1}' -f $_.Name, ((@($_.Group | ForEach-Object { '-' + $_.Name } | Sort-Object -Unique)) -join ', ')
            })
        $clashes -join [Environment]::NewLine | Should -BeNullOrEmpty
    }
}

Describe 'Help of <_>' -ForEach $publicCommands {
    BeforeAll {
        $script:CommandName = $_
        $script:Help = Get-Help -Name $script:CommandName -Full
        $script:Command = Get-Command -Name $script:CommandName -Module JumpCloudADI
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        $script:OwnParameters = @($script:Command.Parameters.Keys | Where-Object { $common -notcontains $_ })
    }

    It 'is an advanced function with [OutputType]' {
        $script:Command.CmdletBinding | Should -BeTrue
        @($script:Command.OutputType).Count | Should -BeGreaterThan 0
    }

    It 'has a synopsis (not the generated syntax line)' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis.Trim() | Should -Not -Match ('^' + [regex]::Escape($script:CommandName))
    }

    It 'has a description' {
        ($script:Help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @($script:Help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'documents its outputs' {
        ($script:Help.ReturnValues | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter' {
        foreach ($parameterName in $script:OwnParameters) {
            $parameterHelp = @($script:Help.Parameters.Parameter | Where-Object { $_.Name -eq $parameterName })
            $parameterHelp.Count | Should -Be 1 -Because "-$parameterName needs help"
            ($parameterHelp[0].Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameterName needs a description"
        }
    }
}

Describe 'Source file <Name>' -ForEach $sourceFiles {
    It 'parses without errors' {
        $parseErrors = $null
        [void][System.Management.Automation.Language.Parser]::ParseFile($FullName, [ref]$null, [ref]$parseErrors)
        @($parseErrors).Count | Should -Be 0
    }

    It 'uses no PowerShell 7-only syntax (Windows PowerShell 5.1 must run it)' {
        $findings = @(Get-Ps7OnlySyntax -Path $FullName)
        ($findings | ForEach-Object { '{0}:{1}: {2}: {3}' -f $_.File, $_.Line, $_.Rule, $_.Text }) -join [Environment]::NewLine | Should -BeNullOrEmpty
    }
}

Describe 'Text file <Name>' -ForEach $textFiles {
    It 'has no trailing whitespace' {
        @(Get-TrailingWhitespace -Path $FullName) | Should -BeNullOrEmpty
    }
}

Describe 'The Windows PowerShell 5.1 checker itself' {
    It 'flags <Name>' -ForEach $forbiddenSnippets {
        $findings = @(Get-Ps7OnlySyntax -ScriptText $Code)
        $findings.Count | Should -BeGreaterThan 0 -Because "'$Code' is not valid Windows PowerShell 5.1"
        # Under Windows PowerShell 5.1 the 7-only syntax is already a parse error; under 7 the
        # specific rule must fire.
        $acceptParseError = $PSVersionTable.PSVersion.Major -lt 7 -or $Rule -eq 'ParseError'
        $matched = @($findings | Where-Object { $_.Rule -like "*$Rule*" -or ($acceptParseError -and $_.Rule -like 'ParseError*') })
        $matched.Count | Should -BeGreaterThan 0 -Because "'$Code' should be flagged as $Rule (got: $(($findings | ForEach-Object Rule) -join '; '))"
    }

    It 'accepts <Name>' -ForEach $allowedSnippets {
        $findings = @(Get-Ps7OnlySyntax -ScriptText $Code)
        ($findings | ForEach-Object { $_.Rule }) -join '; ' | Should -BeNullOrEmpty
    }
}
