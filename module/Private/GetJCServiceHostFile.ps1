function GetJCServiceHostFile {
    <#
    .SYNOPSIS
        The Windows service host to install (jcadi-service.exe next to the engine), or $null off Windows.
    .PARAMETER EngineFile
        The engine the module runs (FindJCEngine): the host ships in the same folder.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $EngineFile
    )

    if (-not (TestJCIsWindows)) {
        return $null
    }
    # The engine's own folder, separator included (string work: the same answer on every platform).
    $folder = $EngineFile.Substring(0, $EngineFile.LastIndexOfAny([char[]]@('\', '/')) + 1)
    # The host's name comes from the engine (describe), which installs it.
    $files = GetJCField -InputObject (GetJCEngineDescription) -Name 'InstallFiles'
    return ($folder + [string](GetJCField -InputObject $files -Name 'ServiceHost'))
}
