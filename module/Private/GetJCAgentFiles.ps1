function GetJCAgentFiles {
    <#
    .SYNOPSIS
        The engine and config paths of an installation folder.
    .PARAMETER InstallPath
        The install folder (absolute).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $InstallPath
    )

    # The names come from the engine (describe): the one that writes the folder.
    $files = GetJCField -InputObject (GetJCEngineDescription) -Name 'InstallFiles'
    # Path.Combine, not Join-Path: the folder need not be on a drive PowerShell knows (yet).
    return @{
        Engine      = [System.IO.Path]::Combine($InstallPath, [string](GetJCField -InputObject $files -Name 'Engine'))
        ServiceHost = [System.IO.Path]::Combine($InstallPath, [string](GetJCField -InputObject $files -Name 'ServiceHost'))
        Config      = [System.IO.Path]::Combine($InstallPath, [string](GetJCField -InputObject $files -Name 'Config'))
    }
}
