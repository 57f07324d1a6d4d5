function GetJCRehearsalServiceFacts {
    <#
    .SYNOPSIS
        Windows thin layer: what the service control manager says of a service, and its engine process.
    .DESCRIPTION
        Win32_Service (state, account, process id, exit code) and the engine the service host
        started (Win32_Process: a jcadi-engine.exe whose parent is the host). With -WatchPid,
        whether that process still exists.
    .PARAMETER ServiceName
        The service.
    .PARAMETER WatchPid
        A process id to look for (an engine that was stopped or killed).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ServiceName,

        [int] $WatchPid = 0
    )

    $service = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $ServiceName) -ErrorAction SilentlyContinue
    $enginePid = $null
    if ($null -ne $service -and [int]$service.ProcessId -gt 0) {
        $engine = @(Get-CimInstance -ClassName Win32_Process -Filter ("ParentProcessId={0} AND Name='jcadi-engine.exe'" -f [int]$service.ProcessId) -ErrorAction SilentlyContinue) | Select-Object -First 1
        if ($null -ne $engine) {
            $enginePid = [int]$engine.ProcessId
        }
    }
    $watchedAlive = $null
    if ($WatchPid -gt 0) {
        $watchedAlive = $null -ne (Get-Process -Id $WatchPid -ErrorAction SilentlyContinue)
    }
    [pscustomobject]@{
        Exists       = $null -ne $service
        State        = $(if ($null -ne $service) { [string]$service.State } else { $null })
        StartName    = $(if ($null -ne $service) { [string]$service.StartName } else { $null })
        ServicePid   = $(if ($null -ne $service) { [int]$service.ProcessId } else { 0 })
        ExitCode     = $(if ($null -ne $service) { [int]$service.ExitCode } else { $null })
        EnginePid    = $enginePid
        WatchedAlive = $watchedAlive
    }
}
