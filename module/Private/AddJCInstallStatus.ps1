function AddJCInstallStatus {
    <#
    .SYNOPSIS
        Adds the started agent's state (service manager, running, role, agent id) to the install record and outputs it.
    .PARAMETER Install
        The JumpCloudADI.SyncAgentInstall record(s) of the engine.
    .PARAMETER Status
        What starting the agent returned (a JumpCloudADI.SyncAgentStatus record).
    #>
    [CmdletBinding()]
    param(
        [object[]] $Install = @(),

        [object[]] $Status = @()
    )

    $agent = @($Status | Where-Object { $null -ne $_ -and $_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus' }) | Select-Object -First 1
    foreach ($record in $Install) {
        if ($null -eq $record) {
            continue
        }
        $running = $false
        $role = 'Unknown'
        $agentId = $null
        if ($null -ne $agent) {
            $running = [bool]$agent.Running
            $role = $agent.Role
            $agentId = $agent.AgentId
        }
        Add-Member -InputObject $record -MemberType NoteProperty -Name ServiceManager -Value (GetJCServiceManager) -Force
        Add-Member -InputObject $record -MemberType NoteProperty -Name Running -Value $running -Force
        Add-Member -InputObject $record -MemberType NoteProperty -Name Role -Value $role -Force
        Add-Member -InputObject $record -MemberType NoteProperty -Name AgentId -Value $agentId -Force
        $record
    }
}
