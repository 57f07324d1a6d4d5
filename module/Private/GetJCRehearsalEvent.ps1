function GetJCRehearsalEvent {
    <#
    .SYNOPSIS
        Windows thin layer: the Application log's events for a query (Get-WinEvent), none when there are none.
    .PARAMETER Filter
        The Get-WinEvent filter hashtable (GetJCRehearsalEventQuery).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Filter
    )

    # Get-WinEvent reports "no events found" as an error: that is an empty answer here.
    foreach ($logEvent in @(Get-WinEvent -FilterHashtable $Filter -ErrorAction SilentlyContinue)) {
        [pscustomobject]@{ Id = [int]$logEvent.Id; TimeCreated = $logEvent.TimeCreated; Message = [string]$logEvent.Message }
    }
}
