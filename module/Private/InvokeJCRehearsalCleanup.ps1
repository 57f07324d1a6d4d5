function InvokeJCRehearsalCleanup {
    <#
    .SYNOPSIS
        Removes the rehearsal's Windows service and (when it made it) the Event Log source; returns what was removed and what is left.
    .DESCRIPTION
        Runs GetJCRehearsalCleanupList through the production service code (InvokeJCAgentService
        Stop and Unregister with the rehearsal's -ServiceName) and UnregisterJCEventSource. Each
        step is tried even when an earlier one failed. Called when the engine asks (after the
        host checks, or when the rehearsal fails half way) and from Invoke-JCSyncRehearsal's
        finally (Ctrl+C).
    .PARAMETER State
        The rehearsal's Windows state; Removed and SourceRemoved are set.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $State,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $removed = New-Object -TypeName System.Collections.Generic.List[string]
    $left = New-Object -TypeName System.Collections.Generic.List[string]
    $installPath = [string]$State.InstallPath
    if ($installPath -eq '') {
        $installPath = [System.IO.Path]::GetTempPath()
    }
    foreach ($step in @(GetJCRehearsalCleanupList -State $State)) {
        try {
            switch ($step.Action) {
                'StopService' {
                    InvokeJCAgentService -Action Stop -InstallPath $installPath -ServiceName $step.Target -TimeoutSeconds 60 -Cmdlet $Cmdlet
                }
                'DeleteService' {
                    InvokeJCAgentService -Action Unregister -InstallPath $installPath -ServiceName $step.Target -Cmdlet $Cmdlet
                    if ((GetJCRehearsalServiceFacts -ServiceName $step.Target).Exists) {
                        throw [System.InvalidOperationException]::new('marked for deletion; it goes when no program holds it open (close the Services console)')
                    }
                    $State.Removed = $true
                    $removed.Add(('service {0}' -f $step.Target))
                }
                'RemoveEventSource' {
                    UnregisterJCEventSource -Source $step.Target
                    $State.SourceRemoved = $true
                    $removed.Add(('Event Log source {0}' -f $step.Target))
                }
            }
        }
        catch [System.Management.Automation.PipelineStoppedException] {
            throw
        }
        catch {
            if ($step.Action -ne 'StopService') {
                $left.Add(('{0} {1} ({2})' -f $(if ($step.Action -eq 'DeleteService') { 'service' } else { 'Event Log source' }), $step.Target, $_.Exception.Message))
            }
        }
    }
    [pscustomobject]@{ Removed = @($removed); Left = @($left) }
}
