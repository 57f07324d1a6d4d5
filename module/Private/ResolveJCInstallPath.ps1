function ResolveJCInstallPath {
    <#
    .SYNOPSIS
        The sync agent's install folder as an absolute file-system path (the wizard's default when empty).
    .DESCRIPTION
        Default: C:\Program Files\JumpCloud\AD Integration\ on Windows, /opt/jumpcloudadi elsewhere.
        A relative path is resolved against PowerShell's current location; a path on another
        provider (Registry, Env, ...) or naming a file is refused (error InstallPath.Invalid).
    .PARAMETER InstallPath
        The folder as the user gave it, or empty for the default.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string] $InstallPath,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    if ([string]::IsNullOrEmpty($InstallPath)) {
        if (TestJCIsWindows) {
            return 'C:\Program Files\JumpCloud\AD Integration\'
        }
        return '/opt/jumpcloudadi'
    }
    $resolved = $null
    $provider = $null
    $drive = $null
    try {
        $resolved = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($InstallPath, [ref]$provider, [ref]$drive)
    }
    catch {
        $resolved = $null
    }
    if ($null -eq $resolved -or $null -eq $provider -or $provider.Name -ne 'FileSystem' -or (Test-Path -LiteralPath $resolved -PathType Leaf)) {
        $message = 'The install path "{0}" must be a folder on the file system.' -f $InstallPath
        $record = NewJCErrorRecord -ErrorId 'InstallPath.Invalid' -Message $message -Category InvalidArgument -TargetObject $InstallPath -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    return $resolved
}
