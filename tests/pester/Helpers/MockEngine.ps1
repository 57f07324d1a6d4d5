# Helpers for the unit tests of the public cmdlets: the engine is mocked at the one private
# function InvokeJCEngine, and each call is recorded in $script:EngineCalls by the mock.

function Get-PlainText {
    <#
    .SYNOPSIS
        The plain text of a SecureString (test helper; works on Windows PowerShell 5.1 and 7).
    #>
    param(
        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $SecureString
    )

    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($SecureString)
    try {
        return [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    }
    finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }
}

function New-TestCredential {
    param(
        [string] $UserName = 'Administrator@example.com',
        [string] $Password = ('Pw-' + [guid]::NewGuid().ToString('N'))
    )

    $secure = ConvertTo-SecureString -String $Password -AsPlainText -Force
    return (New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $UserName, $secure)
}

function ConvertTo-RequestJson {
    <#
    .SYNOPSIS
        The params as the bridge would serialise them (runs the module's private converter).
    #>
    param(
        [System.Collections.IDictionary] $Parameters
    )

    $module = Get-Module -Name JumpCloudADI
    return (& $module { param($p) ConvertTo-Json -InputObject (ConvertToJCRequestValue -Value $p) -Depth 20 -Compress } $Parameters)
}

function Get-ParameterInfo {
    <#
    .SYNOPSIS
        The [Parameter()] attributes of one parameter of a command, one per parameter set.
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $CommandName,

        [Parameter(Mandatory = $true)]
        [string] $ParameterName
    )

    $command = Get-Command -Name $CommandName
    return @($command.Parameters[$ParameterName].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
}

function Get-TestEngineDescription {
    <#
    .SYNOPSIS
        The real engine's describe answer (build/jcadi-engine, asked through the module's bridge),
        for mocks of GetJCEngineDescription: the tests then use the engine's own exit codes and
        install-folder names, not a copy. Needs the built engine (npm run build; npm test builds it).
    #>
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $fileName = 'jcadi-engine'
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $fileName = 'jcadi-engine.exe'
    }
    $engine = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath $fileName
    if (-not (Test-Path -LiteralPath $engine -PathType Leaf)) {
        throw ('The built engine {0} is missing: run "npm run build" first (the module reads the engine''s describe answer).' -f $engine)
    }
    # Run directly (not through the module's bridge, which a test may have mocked).
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $engine
    $startInfo.Arguments = 'exec'
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $process.StandardInput.Write('{"protocol":1,"command":"describe"}')
        $process.StandardInput.Close()
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $lines = $process.StandardOutput.ReadToEnd() -split "`n"
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) {
            throw ('{0} describe exited with code {1}: {2}' -f $engine, $process.ExitCode, $stderrTask.Result)
        }
    }
    finally {
        $process.Dispose()
    }
    foreach ($line in $lines) {
        if ([string]::IsNullOrWhiteSpace($line)) {
            continue
        }
        $message = ConvertFrom-Json -InputObject $line
        if ($message.type -eq 'record') {
            $message.data.PSObject.TypeNames.Insert(0, $message.recordType)
            return $message.data
        }
    }
    throw ('{0} describe wrote no record.' -f $engine)
}
