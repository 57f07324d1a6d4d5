function GetJCUpgradeOrder {
    <#
    .SYNOPSIS
        The order of a rolling upgrade: standbys first (in the order given), the primary last (pure: no I/O).
    .DESCRIPTION
        Each server's agent status (with ComputerName) becomes one step {Step, Of, ComputerName,
        Role}. Agents that are not Primary come first, in the order the servers were named; the
        primary (or primaries, if the servers disagree) last, so that a standby that is already
        upgraded takes over while it restarts.
    .PARAMETER Status
        The servers' JumpCloudADI.SyncAgentStatus objects, each with ComputerName, in the order given.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [object[]] $Status
    )

    $standbys = @($Status | Where-Object { (GetJCField -InputObject $_ -Name 'Role') -ne 'Primary' })
    $primaries = @($Status | Where-Object { (GetJCField -InputObject $_ -Name 'Role') -eq 'Primary' })
    $ordered = @($standbys) + @($primaries)
    $step = 0
    foreach ($item in $ordered) {
        $step++
        [pscustomobject]@{
            Step         = $step
            Of           = $ordered.Count
            ComputerName = [string](GetJCField -InputObject $item -Name 'ComputerName')
            Role         = [string](GetJCField -InputObject $item -Name 'Role')
            Version      = (GetJCField -InputObject $item -Name 'Version')
            ProcessId    = (GetJCField -InputObject $item -Name 'ProcessId')
        }
    }
}
