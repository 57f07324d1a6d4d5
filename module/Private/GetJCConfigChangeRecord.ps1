function GetJCConfigChangeRecord {
    <#
    .SYNOPSIS
        The JumpCloudADI.SyncAgentConfigChange record among the engine's output, or $null.
    .PARAMETER Output
        What InvokeJCEngine returned for agent-configure.
    .OUTPUTS
        System.Management.Automation.PSCustomObject or $null
    #>
    [CmdletBinding()]
    param(
        [AllowEmptyCollection()]
        [object[]] $Output
    )

    foreach ($item in $Output) {
        if ($null -ne $item -and $item.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentConfigChange') {
            return $item
        }
    }
    return $null
}
