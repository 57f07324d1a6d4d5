function GetJCRehearsalEventQuery {
    <#
    .SYNOPSIS
        The Event Log query of the rehearsal: the service host's events since the service started.
    .DESCRIPTION
        The service host writes under the source JumpCloudADISync (whatever its service is called)
        to the Application log: event 1 (cannot start the agent), 2 (stopped on a bad
        configuration), 3 (the agent ended unexpectedly: the kill of the restart check), 4 (a stop
        that needed a kill). Each message ends with "(log: <install folder>\logs\service.log)", so
        the rehearsal's own events are those naming its install folder's unique temporary folder
        (Match), not a production agent's on the same server.
    .PARAMETER Since
        When the rehearsal service was started.
    .PARAMETER InstallPath
        The rehearsal's install folder (<temp>\jcadi-rehearsal-agent-XXXX\AD Integration).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)]
        [datetime] $Since,

        [Parameter(Mandatory = $true)]
        [string] $InstallPath
    )

    # The last two parts of the folder (the temporary folder's random name and AD Integration).
    $parts = @($InstallPath.TrimEnd('\', '/') -split '[\\/]' | Where-Object { $_ -ne '' })
    $match = ($parts | Select-Object -Last 2) -join '\'
    return @{
        Filter = @{
            LogName      = 'Application'
            ProviderName = $script:JCServiceName
            StartTime    = $Since
        }
        Match  = $match
        Ids    = @(1, 2, 3, 4)
    }
}
