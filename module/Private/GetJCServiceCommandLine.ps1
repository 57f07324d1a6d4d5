function GetJCServiceCommandLine {
    <#
    .SYNOPSIS
        The service's command line: the installed engine, "run", and the config path, each quoted.
    .PARAMETER EnginePath
        The installed engine.
    .PARAMETER ConfigFile
        The agent's config file.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $EnginePath,

        [Parameter(Mandatory = $true)]
        [string] $ConfigFile
    )

    return ('"{0}" run --config "{1}"' -f $EnginePath, $ConfigFile)
}
