function FindJCEngine {
    <#
    .SYNOPSIS
        Returns the full path of the jcadi-engine executable, or throws Engine.NotFound.
    .DESCRIPTION
        Search order:
          1. $env:JCADI_ENGINE_PATH, when set (an explicit override: no fallback when it is wrong);
          2. <module root>/build/jcadi-engine[.exe]  (development layout: the repository root);
          3. <module root>/bin/jcadi-engine[.exe]    (packaged layout: engine shipped next to the module).
        The file name is jcadi-engine.exe on Windows and jcadi-engine elsewhere.
    .PARAMETER Cmdlet
        The cmdlet on whose behalf the error is thrown (its $PSCmdlet). Defaults to this function.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    if (TestJCIsWindows) {
        $fileName = 'jcadi-engine.exe'
    }
    else {
        $fileName = 'jcadi-engine'
    }

    $tried = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $override = $env:JCADI_ENGINE_PATH
    if (-not [string]::IsNullOrWhiteSpace($override)) {
        $candidates = @($override)
    }
    else {
        $root = $script:JCModuleRoot
        $candidates = @(
            (Join-Path -Path (Join-Path -Path $root -ChildPath 'build') -ChildPath $fileName)
            (Join-Path -Path (Join-Path -Path $root -ChildPath 'bin') -ChildPath $fileName)
        )
    }

    foreach ($candidate in $candidates) {
        $tried.Add($candidate)
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            return (Resolve-Path -LiteralPath $candidate).ProviderPath
        }
    }

    if (-not [string]::IsNullOrWhiteSpace($override)) {
        $hint = 'JCADI_ENGINE_PATH is set: point it at an existing jcadi-engine file, or remove it and build the engine with "npm run build" (from the repository root).'
    }
    else {
        $hint = 'Build the engine with "npm run build" (from the repository root), or set JCADI_ENGINE_PATH to its full path.'
    }
    $message = 'The jcadi-engine executable was not found. Tried: {0}. {1}' -f ($tried -join ', '), $hint
    $record = NewJCErrorRecord -ErrorId 'Engine.NotFound' -Message $message -Category ObjectNotFound -TargetObject $fileName -ExceptionType 'System.IO.FileNotFoundException'
    $Cmdlet.ThrowTerminatingError($record)
}
