function GetJCRehearsalRestartRow {
    <#
    .SYNOPSIS
        Judges "Service restarted after its engine is killed" from the service control manager's states.
    .DESCRIPTION
        The designed recovery: the service host sees its engine die and stops the service with
        1067, and the failure actions (restart/10000, failureflag 1) make the service control
        manager start it again: a new service host process with a new engine, and the agent
        reports connected again. Pass only when all of that was seen.
    .PARAMETER Before
        GetJCRehearsalServiceFacts before the kill.
    .PARAMETER After
        GetJCRehearsalServiceFacts at the end of the wait.
    .PARAMETER States
        The service states seen while waiting, in order.
    .PARAMETER KillError
        Why the engine could not be killed, if so.
    .PARAMETER AgentReady
        The restarted agent reported connected (agent-wait).
    .PARAMETER AgentDetail
        What agent-wait said.
    .PARAMETER Seconds
        From the kill to running again.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        $Before,

        $After,

        [string[]] $States = @(),

        [AllowEmptyString()]
        [string] $KillError = '',

        [bool] $AgentReady = $false,

        [AllowEmptyString()]
        [string] $AgentDetail = '',

        $Seconds = $null
    )

    $check = 'Service restarted after its engine is killed'
    $evidence = 'the service was not read before the kill'
    if ($null -ne $Before) {
        $evidence = 'engine process {0} of service host {1} killed; states seen: {2}' -f $Before.EnginePid, $Before.ServicePid, ($States -join ' > ')
    }
    if ($null -ne $After) {
        $evidence = '{0}; then {1}, service host {2}, engine {3}; agent: {4}' -f $evidence, $After.State, $After.ServicePid, $After.EnginePid, $AgentDetail
    }
    $problems = New-Object -TypeName System.Collections.Generic.List[string]
    if ($null -eq $Before -or $Before.State -ne 'Running' -or $null -eq $Before.EnginePid) {
        $problems.Add('there was no running engine under the service to kill')
    }
    elseif ($KillError -ne '') {
        $problems.Add(('the engine could not be killed: {0}' -f $KillError))
    }
    elseif ($null -eq $After -or $After.State -ne 'Running') {
        $problems.Add('the service did not run again (check its recovery actions: sc.exe qfailure)')
    }
    else {
        if ($After.ServicePid -eq $Before.ServicePid) {
            $problems.Add('the same service host process still runs: the service control manager did not restart the service')
        }
        if ($null -eq $After.EnginePid -or $After.EnginePid -eq $Before.EnginePid) {
            $problems.Add('no new engine process runs under the service')
        }
        if (-not $AgentReady) {
            $problems.Add('the restarted agent did not report connected')
        }
    }
    if ($problems.Count -gt 0) {
        return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Fail' -Reason ($problems -join '; ') -Evidence $evidence -Seconds $Seconds)
    }
    return (NewJCRehearsalCheck -Area 'Windows host' -Check $check -Status 'Pass' -Evidence $evidence -Seconds $Seconds)
}
