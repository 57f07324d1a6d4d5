function FormatJCPlanOperation {
    <#
    .SYNOPSIS
        The action and target texts of one plan operation, for $PSCmdlet.ShouldProcess (What if:).
    .DESCRIPTION
        Returns an object with Action (for example "Create user", "Add group member") and Target
        (the object, its DN or group, the changes and the reason), so that Invoke-JCSync -WhatIf
        prints lines such as:
          What if: Performing the operation "Update user" on target "ann.lee at CN=ann.lee,OU=Staff,DC=example,DC=com: sn: 'Lee' -> 'Married' (attributes changed in JumpCloud)".
    .PARAMETER Operation
        The plan operation (a JumpCloudADI.SyncPlanOperation record).
    .OUTPUTS
        System.Management.Automation.PSCustomObject
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Operation
    )

    $actions = @{
        createUser   = 'Create user'
        updateUser   = 'Update user'
        renameUser   = 'Rename user'
        vacateUserName = 'Rename user to a temporary name'
        enableUser   = 'Enable user'
        disableUser  = 'Disable user'
        createGroup  = 'Create group'
        updateGroup  = 'Update group'
        renameGroup  = 'Rename group'
        vacateGroupName = 'Rename group to a temporary name'
        unbindGroup  = 'Keep group, mark unbound'
        rebindGroup  = 'Mark group bound again'
        addMember    = 'Add group member'
        removeMember = 'Remove group member'
        skip         = 'Skip'
    }
    $kind = [string]$Operation.Operation
    $action = $actions[$kind]
    if ($null -eq $action) {
        $action = $kind
    }

    $property = {
        param([string] $Name)
        $found = $Operation.PSObject.Properties[$Name]
        if ($null -eq $found -or $null -eq $found.Value) {
            return ''
        }
        return [string]$found.Value
    }
    $name = & $property 'Target'
    $dn = & $property 'DN'

    if ($kind -eq 'addMember') {
        $target = '{0} to group {1}' -f $name, (& $property 'Group')
    }
    elseif ($kind -eq 'removeMember') {
        $target = '{0} from group {1}' -f $name, (& $property 'Group')
    }
    elseif ($kind -eq 'renameUser' -or $kind -eq 'renameGroup' -or $kind -eq 'vacateUserName' -or $kind -eq 'vacateGroupName') {
        $target = '{0} from {1} to {2}' -f $name, $dn, (& $property 'NewDN')
    }
    elseif ($dn.Length -gt 0) {
        $target = '{0} at {1}' -f $name, $dn
    }
    else {
        $target = $name
    }
    if ((& $property 'Adopt') -eq 'True') {
        $action = $action + ' (adopt an existing object)'
    }
    if ($kind -eq 'createUser' -and (& $property 'Enabled') -eq 'False') {
        $action = $action + ' (disabled)'
    }
    $changeText = FormatJCChangeText -Operation $Operation
    if ($changeText.Length -gt 0) {
        $target = '{0}: {1}' -f $target, $changeText
    }
    $reason = & $property 'Reason'
    if ($reason.Length -gt 0) {
        $target = '{0} ({1})' -f $target, $reason
    }

    return [pscustomobject]@{
        Action = $action
        Target = $target
    }
}
