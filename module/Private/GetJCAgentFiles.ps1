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

    if (TestJCIsWindows) {
        $engineName = 'jcadi-engine.exe'
    }
    else {
        $engineName = 'jcadi-engine'
    }
    # Path.Combine, not Join-Path: the folder need not be on a drive PowerShell knows (yet).
    return @{
        Engine      = [System.IO.Path]::Combine($InstallPath, $engineName)
        ServiceHost = [System.IO.Path]::Combine($InstallPath, $script:JCServiceHostName)
        Config      = [System.IO.Path]::Combine($InstallPath, 'agent.json')
    }
}
