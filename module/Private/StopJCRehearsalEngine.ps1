function StopJCRehearsalEngine {
    <#
    .SYNOPSIS
        Windows thin layer: kills the rehearsal service's engine process (the restart check).
    .PARAMETER Id
        The engine's process id (GetJCRehearsalServiceFacts).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int] $Id
    )

    Stop-Process -Id $Id -Force -ErrorAction Stop
}
