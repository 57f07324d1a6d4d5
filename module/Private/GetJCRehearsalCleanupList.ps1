function GetJCRehearsalCleanupList {
    <#
    .SYNOPSIS
        What the rehearsal's Windows side must remove, in order: stop and delete its service, then the Event Log source if it registered it.
    .DESCRIPTION
        The engine removes the install folder, the scratch OU and the sandbox (rehearsal-cleanup);
        the service runs from the install folder, so it goes first. The source JumpCloudADISync is
        removed only when the rehearsal registered it (no production agent had).
    .PARAMETER State
        The rehearsal's Windows state (ServiceName, Registered, SourceCreated, Removed).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $State
    )

    if ($State.Registered -and -not $State.Removed) {
        [pscustomobject]@{ Action = 'StopService'; Target = $State.ServiceName }
        [pscustomobject]@{ Action = 'DeleteService'; Target = $State.ServiceName }
    }
    if ($State.SourceCreated -and -not $State.SourceRemoved) {
        [pscustomobject]@{ Action = 'RemoveEventSource'; Target = $script:JCServiceName }
    }
}
