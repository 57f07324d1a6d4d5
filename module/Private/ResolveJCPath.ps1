function ResolveJCPath {
    <#
    .SYNOPSIS
        Turns a PowerShell path into an absolute file-system path for the engine, or throws.
    .DESCRIPTION
        The engine runs in the process's working directory, not in PowerShell's current location,
        so every path it receives is resolved here first (relative to the current location;
        PowerShell drives such as TestDrive: or a mapped PSDrive are translated). A path on
        another provider (Registry, Env, ...) is refused. With -MustExist the file must exist;
        otherwise the path must not name a folder.
    .PARAMETER Path
        The path as the user gave it.
    .PARAMETER ParameterName
        The cmdlet parameter the path came from; the error id is <ParameterName>.NotFound or
        <ParameterName>.Invalid.
    .PARAMETER MustExist
        The file must exist (a CA file); without it only a folder is refused (a journal file).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Path,

        [Parameter(Mandatory = $true)]
        [string] $ParameterName,

        [switch] $MustExist,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    $resolved = $null
    $provider = $null
    $drive = $null
    try {
        $resolved = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path, [ref]$provider, [ref]$drive)
    }
    catch {
        $resolved = $null
    }
    if ($null -eq $resolved -or $null -eq $provider -or $provider.Name -ne 'FileSystem') {
        $message = 'The path "{0}" given to -{1} is not a file-system path.' -f $Path, $ParameterName
        $record = NewJCErrorRecord -ErrorId ('{0}.Invalid' -f $ParameterName) -Message $message -Category InvalidArgument -TargetObject $Path -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($MustExist -and -not (Test-Path -LiteralPath $resolved -PathType Leaf)) {
        $message = 'The file "{0}" given to -{1} does not exist.' -f $Path, $ParameterName
        $record = NewJCErrorRecord -ErrorId ('{0}.NotFound' -f $ParameterName) -Message $message -Category ObjectNotFound -TargetObject $Path -ExceptionType 'System.IO.FileNotFoundException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    if (-not $MustExist -and (Test-Path -LiteralPath $resolved -PathType Container)) {
        $message = 'The path "{0}" given to -{1} is a folder; name a file.' -f $Path, $ParameterName
        $record = NewJCErrorRecord -ErrorId ('{0}.Invalid' -f $ParameterName) -Message $message -Category InvalidArgument -TargetObject $Path -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    return $resolved
}
