function GetJCRehearsalStartStopRow {
    <#
    .SYNOPSIS
        Judges "Service starts and stops" from what the service control manager reported.
    .DESCRIPTION
        Pass when the service ran (Running, as its own virtual account NT SERVICE\<name>, with an
        engine process under the service host) and stopped gracefully (Stopped, exit code 0, the
        engine gone). Anything else fails with what differs.
    .PARAMETER ServiceName
        The rehearsal service.
    .PARAMETER Started
        GetJCRehearsalServiceFacts after the start.
    .PARAMETER StartError
        Why the start failed, if it did.
    .PARAMETER Stopped
        GetJCRehearsalServiceFacts after the stop (-WatchPid the engine that ran).
    .PARAMETER StopError
        Why the stop failed, if it did.
    .PARAMETER Seconds
        How long the stop took.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ServiceName,

        $Started,

        [AllowEmptyString()]
        [string] $StartError = '',

        $Stopped,

        [AllowEmptyString()]
        [string] $StopError = '',

        $Seconds = $null
    )

    $check = 'Service starts and stops'
    $account = 'NT SERVICE\' + $ServiceName
    $seenStart = 'not started'
    if ($null -ne $Started) {
        $seenStart = 'started: {0} as {1}, service host process {2}, engine process {3}' -f $Started.State, $Started.StartName, $Started.ServicePid, $Started.EnginePid
    }
    $seenStop = 'not stopped'
    if ($null -ne $Stopped) {
        $gone = 'gone'
        if ($Stopped.WatchedAlive) {
            $gone = 'STILL RUNNING'
        }
        $seenStop = 'stopped: {0}, exit code {1}, engine process {2}' -f $Stopped.State, $Stopped.ExitCode, $gone
    }
    $evidence = '{0}; {1}' -f $seenStart, $seenStop
    $problems = New-Object -TypeName System.Collections.Generic.List[string]
    if ($StartError -ne '') {
        $problems.Add(('the service did not start: {0}' -f $StartError))
    }
    elseif ($null -eq $Started -or $Started.State -ne 'Running') {
        $problems.Add('the service was not running after the start')
    }
    else {
        if ($Started.StartName -ne $account) {
            $problems.Add(('it runs as {0}, not {1}' -f $Started.StartName, $account))
        }
        if ($null -eq $Started.EnginePid) {
            $problems.Add('no engine process ran under the service host')
        }
    }
    if ($StopError -ne '') {
        $problems.Add(('the stop failed: {0}' -f $StopError))
    }
    elseif ($null -eq $Stopped -or $Stopped.State -ne 'Stopped') {
        $problems.Add('the service was not stopped after the stop')
    }
    else {
        if ($Stopped.ExitCode -ne 0) {
            $problems.Add(('it stopped with exit code {0} (a graceful stop reports 0)' -f $Stopped.ExitCode))
        }
        if ($Stopped.WatchedAlive) {
            $problems.Add('the engine still runs after the stop')
        }
    }
    if ($problems.Count -gt 0) {
        return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Fail' -Reason ($problems -join '; ') -Evidence $evidence -Seconds $Seconds)
    }
    return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Pass' -Evidence $evidence -Seconds $Seconds)
}
