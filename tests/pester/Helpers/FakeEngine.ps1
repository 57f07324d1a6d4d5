# A fake jcadi-engine for the tests of the real bridge (InvokeJCEngine).
# New-FakeEngine writes a small /bin/sh script into its own folder under TestDrive and points
# JCADI_ENGINE_PATH at it. The script records its argv (argv.txt), its environment (env.txt),
# its pid (pid) and the bytes it received on stdin (stdin.bin); then it writes stderr.txt to
# stderr, stdout.jsonl to stdout (or runs stdout.sh for timed scenarios) and exits with the
# code in exitcode.

$script:FakeEngineScript = @'
#!/bin/sh
dir=$(dirname "$0")
echo $$ > "$dir/pid"
: > "$dir/argv.txt"
for a in "$@"; do printf '%s\n' "$a" >> "$dir/argv.txt"; done
env > "$dir/env.txt"
if [ ! -f "$dir/no-stdin" ]; then cat > "$dir/stdin.bin"; fi
if [ -f "$dir/stderr.txt" ]; then cat "$dir/stderr.txt" >&2; fi
if [ -f "$dir/stdout.jsonl" ]; then cat "$dir/stdout.jsonl"; fi
if [ -f "$dir/stdout.sh" ]; then . "$dir/stdout.sh"; fi
exit "$(cat "$dir/exitcode")"
'@

function Test-FakeEngineSupported {
    # The fake is a /bin/sh script: it runs on Linux and macOS only.
    return (([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) -and (Test-Path -LiteralPath '/bin/sh'))
}

function ConvertTo-FakeLine {
    <#
    .SYNOPSIS
        One protocol line (compact JSON) from a hashtable; adds "v": 1 unless given.
    #>
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $Message
    )

    $line = [ordered]@{}
    if (-not $Message.Contains('v')) {
        $line['v'] = 1
    }
    foreach ($key in $Message.Keys) {
        $line[$key] = $Message[$key]
    }
    return (ConvertTo-Json -InputObject $line -Depth 20 -Compress)
}

function New-FakeEngine {
    <#
    .SYNOPSIS
        Creates a fake engine in a new folder and sets JCADI_ENGINE_PATH to it. Returns the folder.
    .PARAMETER Lines
        stdout lines: strings are written as they are, dictionaries as protocol lines.
    .PARAMETER ExitCode
        The exit code of the fake.
    .PARAMETER Stderr
        Text written to stderr (before stdout).
    .PARAMETER StdoutScript
        sh commands run after stdout.jsonl (for timed output: printf ...; sleep 2; ...).
    .PARAMETER NoReadStdin
        The fake does not read its stdin at all.
    .PARAMETER NotExecutable
        Leaves the script without the executable bit.
    #>
    param(
        [object[]] $Lines = @(),

        [int] $ExitCode = 0,

        [string] $Stderr,

        [string] $StdoutScript,

        [switch] $NoReadStdin,

        [switch] $NotExecutable
    )

    $folder = Join-Path -Path $TestDrive -ChildPath ('fake-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    [void](New-Item -ItemType Directory -Path $folder)
    $utf8NoBom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    $enginePath = Join-Path -Path $folder -ChildPath 'jcadi-engine'
    [System.IO.File]::WriteAllText($enginePath, ($script:FakeEngineScript -replace "`r`n", "`n"), $utf8NoBom)
    if (-not $NotExecutable) {
        & chmod 755 $enginePath
    }

    $text = New-Object -TypeName System.Text.StringBuilder
    foreach ($line in $Lines) {
        if ($line -is [System.Collections.IDictionary]) {
            [void]$text.Append((ConvertTo-FakeLine -Message $line)).Append("`n")
        }
        else {
            [void]$text.Append([string]$line).Append("`n")
        }
    }
    [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'stdout.jsonl'), $text.ToString(), $utf8NoBom)
    [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'exitcode'), [string]$ExitCode, $utf8NoBom)
    if ($PSBoundParameters.ContainsKey('Stderr')) {
        [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'stderr.txt'), $Stderr, $utf8NoBom)
    }
    if ($PSBoundParameters.ContainsKey('StdoutScript')) {
        [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'stdout.sh'), ($StdoutScript -replace "`r`n", "`n"), $utf8NoBom)
    }
    if ($NoReadStdin) {
        [System.IO.File]::WriteAllText((Join-Path -Path $folder -ChildPath 'no-stdin'), '', $utf8NoBom)
    }

    $env:JCADI_ENGINE_PATH = $enginePath
    return [pscustomobject]@{
        Folder     = $folder
        EnginePath = $enginePath
        StdinPath  = Join-Path -Path $folder -ChildPath 'stdin.bin'
        ArgvPath   = Join-Path -Path $folder -ChildPath 'argv.txt'
        EnvPath    = Join-Path -Path $folder -ChildPath 'env.txt'
        PidPath    = Join-Path -Path $folder -ChildPath 'pid'
    }
}

function Invoke-Bridge {
    <#
    .SYNOPSIS
        Calls the module's private InvokeJCEngine and captures everything it produced.
    .DESCRIPTION
        Returns Output (pipeline objects), Warnings (-WarningVariable), Errors (-ErrorVariable,
        non-terminating), Verbose (verbose records), Result (the -Result [ref]) and Terminating
        (the ErrorRecord of a terminating error, or $null).
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $Command,

        [System.Collections.IDictionary] $Parameters
    )

    $module = Get-Module -Name JumpCloudADI
    $capture = @{}
    & $module {
        param($Command, $Parameters, $capture)
        $engineResult = $null
        $warnings = $null
        $errors = $null
        $all = New-Object -TypeName System.Collections.Generic.List[object]
        $capture.Terminating = $null
        try {
            $splatBridge = @{
                Command         = $Command
                Result          = ([ref]$engineResult)
                WarningVariable = 'warnings'
                WarningAction   = 'SilentlyContinue'
                ErrorVariable   = 'errors'
                ErrorAction     = 'SilentlyContinue'
                Verbose         = $true
            }
            if ($null -ne $Parameters) {
                $splatBridge.Parameters = $Parameters
            }
            InvokeJCEngine @splatBridge 4>&1 | ForEach-Object { $all.Add($_) }
        }
        catch {
            $capture.Terminating = $_
        }
        $capture.Output = @($all | Where-Object { -not ($_ -is [System.Management.Automation.VerboseRecord]) })
        $capture.Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        $capture.Warnings = @($warnings | ForEach-Object { $_.Message })
        $capture.Errors = @($errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and -not [object]::ReferenceEquals($_, $capture.Terminating) })
        $capture.Result = $engineResult
    } $Command $Parameters $capture
    return [pscustomobject]$capture
}
