function FormatJCChangeText {
    <#
    .SYNOPSIS
        One line for the attribute changes of a plan operation: sn: 'Lee' -> 'Married'; mail: ...
    .DESCRIPTION
        For a create, only the new values (givenName: 'Ann'); otherwise before -> after. The same
        text appears in the Changes column of the JumpCloudADI.SyncPlanOperation views.
    .PARAMETER Operation
        The plan operation (a JumpCloudADI.SyncPlanOperation record).
    .OUTPUTS
        System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Operation
    )

    $isCreate = ([string]$Operation.Operation) -like 'create*'
    $parts = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $changes = $null
    if ($null -ne $Operation.PSObject.Properties['Changes']) {
        $changes = $Operation.Changes
    }
    foreach ($change in @($changes)) {
        if ($null -eq $change) {
            continue
        }
        if ($isCreate) {
            $parts.Add(("{0}: '{1}'" -f $change.Attribute, $change.After))
        }
        else {
            $parts.Add(("{0}: '{1}' -> '{2}'" -f $change.Attribute, $change.Before, $change.After))
        }
    }
    return ($parts -join '; ')
}
