function GetJCRehearsalEventRow {
    <#
    .SYNOPSIS
        Judges "Event Log entries": the service host's event 3 for the killed engine, naming the rehearsal's folder.
    .PARAMETER Events
        What GetJCRehearsalEvent returned for the query.
    .PARAMETER Query
        GetJCRehearsalEventQuery (its Filter and Match).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [AllowEmptyCollection()]
        [object[]] $Events = @(),

        [Parameter(Mandatory = $true)]
        [hashtable] $Query
    )

    $check = 'Event Log entries'
    $all = @($Events | Where-Object { $null -ne $_ })
    $own = @($all | Where-Object { ([string]$_.Message).IndexOf($Query.Match, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 -and $Query.Ids -contains [int]$_.Id })
    $source = '{0} log, source {1}, since {2:u}' -f $Query.Filter.LogName, $Query.Filter.ProviderName, $Query.Filter.StartTime
    $crash = @($own | Where-Object { [int]$_.Id -eq 3 }) | Select-Object -First 1
    if ($null -eq $crash) {
        $reason = 'no event 3 (the agent ended unexpectedly) naming {0} in the {1}' -f $Query.Match, $source
        $evidence = '{0} event(s) of the source, {1} naming this install folder (ids: {2})' -f $all.Count, $own.Count, ((@($own | ForEach-Object { $_.Id }) -join ', '))
        return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Fail' -Reason $reason -Evidence $evidence)
    }
    $text = LimitJCText -Text ([string]$crash.Message) -MaxLength 300
    $evidence = 'event 3 at {0:u} in the {1}: {2}; events naming this install folder: {3}' -f $crash.TimeCreated, $source, $text, ((@($own | ForEach-Object { $_.Id }) -join ', '))
    return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Pass' -Evidence $evidence)
}
