function UnregisterJCEventSource {
    <#
    .SYNOPSIS
        Windows thin layer: removes an Event Log source (one the rehearsal registered itself).
    .PARAMETER Source
        The source.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Source
    )

    Remove-EventLog -Source $Source -ErrorAction Stop
}
