# Windows PowerShell 5.1 compatibility checker for the module's sources.
# PSScriptAnalyzer is not available here, so this walks the PowerShell parser's AST and flags the
# constructs and parameters that only PowerShell 6/7 understands. Module.Tests.ps1 runs it over
# module/ and the manifest, and over small snippets to prove that every rule can fail.

function Get-Ps7OnlySyntax {
    <#
    .SYNOPSIS
        Returns one finding (Rule, Line, Text, File) per PowerShell-7-only construct in a script.
    .PARAMETER Path
        A .ps1, .psm1 or .psd1 file to check.
    .PARAMETER ScriptText
        Script text to check (used by the self-test snippets).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Path')]
        [string] $Path,

        [Parameter(Mandatory = $true, ParameterSetName = 'Text')]
        [AllowEmptyString()]
        [string] $ScriptText
    )

    $tokens = $null
    $parseErrors = $null
    if ($PSCmdlet.ParameterSetName -eq 'Path') {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$parseErrors)
        $file = $Path
    }
    else {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($ScriptText, [ref]$tokens, [ref]$parseErrors)
        $file = '<text>'
    }

    $findings = New-Object -TypeName 'System.Collections.Generic.List[object]'
    function AddFinding([string] $Rule, $Extent) {
        $findings.Add([pscustomobject]@{
                Rule = $Rule
                Line = $Extent.StartLineNumber
                Text = $Extent.Text
                File = $file
            })
    }

    foreach ($parseError in @($parseErrors)) {
        if ($null -ne $parseError) {
            AddFinding -Rule ('ParseError: ' + $parseError.Message) -Extent $parseError.Extent
        }
    }

    # Parameters that PowerShell 6/7 added to cmdlets that Windows PowerShell 5.1 also has.
    $ps7OnlyParameters = @{
        'ConvertFrom-Json'  = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
        'ConvertTo-Json'    = @('AsArray', 'EnumsAsStrings', 'EscapeHandling')
        'Join-Path'         = @('AdditionalChildPath', 'Extension')
        'Get-Content'       = @('AsByteStream')
        'Set-Content'       = @('AsByteStream')
        'Add-Content'       = @('AsByteStream')
        'Invoke-WebRequest' = @('SkipCertificateCheck', 'Authentication', 'Token', 'StatusCodeVariable', 'SkipHttpErrorCheck', 'ResponseHeadersVariable', 'MaximumRetryCount', 'RetryIntervalSec', 'SslProtocol', 'Resume', 'Form', 'SkipHeaderValidation')
        'Invoke-RestMethod' = @('SkipCertificateCheck', 'Authentication', 'Token', 'StatusCodeVariable', 'SkipHttpErrorCheck', 'ResponseHeadersVariable', 'MaximumRetryCount', 'RetryIntervalSec', 'SslProtocol', 'Resume', 'Form', 'SkipHeaderValidation')
        'Get-Date'          = @('AsUTC', 'UnixTimeSeconds')
        'Select-String'     = @('Raw', 'NoEmphasis')
        'Test-Connection'   = @('TargetName', 'Ping', 'Traceroute', 'TcpPort', 'MtuSize', 'Repeat', 'IPv4', 'IPv6', 'ResolveDestination')
        'Import-Module'     = @('UseWindowsPowerShell', 'SkipEditionCheck')
        'Get-ChildItem'     = @('FollowSymlink')
        'Sort-Object'       = @('Top', 'Bottom', 'Stable')
        'Split-Path'        = @('LeafBase', 'Extension')
        'Start-Process'     = @('Environment')
    }
    # Aliases that 5.1 also knows, mapped to the cmdlet they stand for.
    $aliases = @{
        'gc' = 'Get-Content'; 'cat' = 'Get-Content'; 'type' = 'Get-Content'; 'sc' = 'Set-Content'; 'ac' = 'Add-Content'
        'iwr' = 'Invoke-WebRequest'; 'curl' = 'Invoke-WebRequest'; 'wget' = 'Invoke-WebRequest'; 'irm' = 'Invoke-RestMethod'
        'sls' = 'Select-String'; 'ipmo' = 'Import-Module'; 'gci' = 'Get-ChildItem'; 'ls' = 'Get-ChildItem'; 'dir' = 'Get-ChildItem'
        'sort' = 'Sort-Object'; 'saps' = 'Start-Process'; 'start' = 'Start-Process'
        '%' = 'ForEach-Object'; 'foreach' = 'ForEach-Object'
    }
    # Commands that do not exist in Windows PowerShell 5.1.
    $ps7OnlyCommands = @('Get-Error', 'Join-String', 'Test-Json', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-Uptime', 'Remove-Alias', 'Remove-Service', 'Start-ThreadJob', 'Get-MarkdownOption', 'Set-MarkdownOption', 'Get-PSSubsystem')
    $ps7OnlyVariables = @('IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSStyle')

    $allNodes = $ast.FindAll({ $true }, $true)
    foreach ($node in $allNodes) {
        $typeName = $node.GetType().Name
        switch ($typeName) {
            'TernaryExpressionAst' {
                AddFinding -Rule 'Ternary operator (a ? b : c)' -Extent $node.Extent
            }
            'PipelineChainAst' {
                AddFinding -Rule 'Pipeline chain operator (&& or ||)' -Extent $node.Extent
            }
            'BinaryExpressionAst' {
                if ($node.Operator.ToString() -eq 'QuestionQuestion') {
                    AddFinding -Rule 'Null-coalescing operator (??)' -Extent $node.Extent
                }
            }
            'AssignmentStatementAst' {
                if ($node.Operator.ToString() -eq 'QuestionQuestionEquals') {
                    AddFinding -Rule 'Null-coalescing assignment (??=)' -Extent $node.Extent
                }
            }
            { $_ -in 'MemberExpressionAst', 'InvokeMemberExpressionAst', 'IndexExpressionAst' } {
                $property = $node.PSObject.Properties['NullConditional']
                if ($null -ne $property -and $property.Value) {
                    AddFinding -Rule 'Null-conditional member access (?. or ?[])' -Extent $node.Extent
                }
            }
            'ScriptBlockAst' {
                $property = $node.PSObject.Properties['CleanBlock']
                if ($null -ne $property -and $null -ne $property.Value) {
                    AddFinding -Rule 'clean block' -Extent $property.Value.Extent
                }
            }
            'PipelineAst' {
                $property = $node.PSObject.Properties['Background']
                if ($null -ne $property -and $property.Value) {
                    AddFinding -Rule 'Background operator (&)' -Extent $node.Extent
                }
            }
            'VariableExpressionAst' {
                $name = $node.VariablePath.UserPath
                if ($ps7OnlyVariables -contains $name) {
                    AddFinding -Rule ('Automatic variable ${0} (absent in 5.1)' -f $name) -Extent $node.Extent
                }
            }
            { $_ -in 'TypeExpressionAst', 'TypeConstraintAst' } {
                $fullName = $node.TypeName.FullName
                if ($fullName -match '^(System\.)?Text\.Json(\.|$)') {
                    AddFinding -Rule 'System.Text.Json (absent in .NET Framework)' -Extent $node.Extent
                }
            }
            'StringConstantExpressionAst' {
                # "`e" and "`u{...}" escapes: 5.1 reads them as plain letters.
                if ($node.StringConstantType.ToString() -eq 'DoubleQuoted' -and $node.Extent.Text -match '`(e|u\{)') {
                    AddFinding -Rule 'Escape `e or `u{} (absent in 5.1)' -Extent $node.Extent
                }
            }
            'ExpandableStringExpressionAst' {
                if ($node.Extent.Text -match '`(e|u\{)') {
                    AddFinding -Rule 'Escape `e or `u{} (absent in 5.1)' -Extent $node.Extent
                }
            }
            'CommandAst' {
                $commandName = $node.GetCommandName()
                if ([string]::IsNullOrEmpty($commandName)) {
                    break
                }
                if ($aliases.ContainsKey($commandName)) {
                    $commandName = $aliases[$commandName]
                }
                $canonical = $null
                foreach ($known in @($ps7OnlyParameters.Keys) + @('ForEach-Object')) {
                    if ([string]::Equals($known, $commandName, [System.StringComparison]::OrdinalIgnoreCase)) {
                        $canonical = $known
                    }
                }
                foreach ($known in $ps7OnlyCommands) {
                    if ([string]::Equals($known, $commandName, [System.StringComparison]::OrdinalIgnoreCase)) {
                        AddFinding -Rule ('Command {0} (absent in 5.1)' -f $known) -Extent $node.Extent
                    }
                }
                if ($null -eq $canonical) {
                    break
                }

                $forbidden = @()
                if ($canonical -eq 'ForEach-Object') {
                    $forbidden = @('Parallel', 'ThrottleLimit', 'AsJob', 'UseNewRunspace', 'TimeoutSeconds')
                }
                else {
                    $forbidden = $ps7OnlyParameters[$canonical]
                }
                foreach ($element in $node.CommandElements) {
                    if ($element -is [System.Management.Automation.Language.CommandParameterAst]) {
                        $given = $element.ParameterName
                        foreach ($name in $forbidden) {
                            # PowerShell accepts unambiguous prefixes: -Para, -AsHash, ...
                            if ($given.Length -ge 2 -and $name.StartsWith($given, [System.StringComparison]::OrdinalIgnoreCase)) {
                                AddFinding -Rule ('{0} -{1} (absent in 5.1)' -f $canonical, $name) -Extent $element.Extent
                            }
                        }
                    }
                }
                if ($canonical -eq 'Join-Path') {
                    # 5.1: Join-Path [-Path] <p> [-ChildPath] <c>; three or more positional values
                    # bind to -AdditionalChildPath, which only 6+ has.
                    $positional = 0
                    $elements = @($node.CommandElements)
                    for ($i = 1; $i -lt $elements.Count; $i++) {
                        $element = $elements[$i]
                        if ($element -is [System.Management.Automation.Language.CommandParameterAst]) {
                            if ($null -eq $element.Argument -and $element.ParameterName -notmatch '^(Resolve|R|Re|Res|Reso|Resol|Resolv)$') {
                                # A named parameter whose value is the next element: skip that value.
                                $i++
                            }
                            continue
                        }
                        $positional++
                    }
                    if ($positional -gt 2) {
                        AddFinding -Rule 'Join-Path with more than 2 path arguments (absent in 5.1)' -Extent $node.Extent
                    }
                }
            }
        }
    }

    return $findings.ToArray()
}

function Get-TrailingWhitespace {
    <#
    .SYNOPSIS
        Returns the line numbers of a file that end with a space or a tab.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Path
    )

    $lineNumber = 0
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        $lineNumber++
        if ($line -match '[ \t]+$') {
            $lineNumber
        }
    }
}
