function Approve-JCSyncSafetyLimit {
    <#
    .SYNOPSIS
        Lets through the destructive changes the sync's rolling safety limit holds back.
    .DESCRIPTION
        The sync counts its destructive changes (disables, renames, group member removals,
        emptied or deleted groups, passwords it sets itself, passwords from JumpCloud it writes
        to AD) over a rolling window (24 hours by default) in a ledger kept in AD under the root
        container, so the count survives a restart and a failover to an agent on another
        server. When a kind of change would exceed the limit
        (MaxDisableCount changes, or MaxDisablePercent of the managed objects, in the window) the
        agent stops applying that kind, says so in Get-JCSyncAgent (SafetyHold) and in
        Get-JCSyncHistory (a safetyLimit entry), and waits for this approval.

        The approval adds an allowance to the ledger for the current window: by default just
        enough for what is held now, or -Count more changes of that kind. Every agent of the
        domain sees it at its next reconcile. The approval is journaled (who, what, how many) in
        the agent's journal. Invoke-JCSync -Force lets a one-time sync through instead, for that
        run only.

        Check JumpCloud first: a mass unbind, a renamed group or a script gone wrong is exactly
        what the limit is there to stop.
    .PARAMETER SafetyKind
        The kind of change to approve: disable, rename, removeMember, emptyGroup, password (random
        passwords the sync sets) or passwordChange (passwords changed in JumpCloud that the agent
        writes to AD; held ones are never stored: JumpCloud delivers them again, sealed, and the
        next delivery after the approval is written). The Kind shown in Get-JCSyncAgent's
        SafetyHold.
    .PARAMETER Count
        How many more changes of that kind to allow in the current window. Default: just enough
        for what is held now.
    .PARAMETER InstallPath
        The agent's install folder (its config names the DC, the root container and the service
        account the approval is written with). Default: C:\Program Files\JumpCloud\AD
        Integration\ on Windows, /opt/jumpcloudadi elsewhere.
    .EXAMPLE
        (Get-JCSyncAgent).SafetyHold

        Shows what the safety limit holds back and why.
    .EXAMPLE
        Approve-JCSyncSafetyLimit -SafetyKind disable

        Lets the held-back disables through (asks first only with -Confirm).
    .EXAMPLE
        Approve-JCSyncSafetyLimit -SafetyKind rename -Count 200 -WhatIf

        Shows the approval of 200 more renames in the current window without writing it.
    .OUTPUTS
        JumpCloudADI.SafetyApproval
    .LINK
        Get-JCSyncAgent
    .LINK
        Invoke-JCSync
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('JumpCloudADI.SafetyApproval')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateSet('disable', 'rename', 'removeMember', 'emptyGroup', 'password', 'passwordChange')]
        [string] $SafetyKind,

        [ValidateRange(1, 1000000)]
        [int] $Count,

        [ValidateNotNullOrEmpty()]
        [string] $InstallPath
    )

    process {
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        $engineParams = [ordered]@{ installPath = $path; kind = $SafetyKind }
        if ($PSBoundParameters.ContainsKey('Count')) {
            $engineParams['count'] = $Count
            $what = '{0} more {1} changes' -f $Count, $SafetyKind
        }
        else {
            $what = 'the held-back {0} changes' -f $SafetyKind
        }
        if ($WhatIfPreference) {
            $engineParams['whatIf'] = $true
            InvokeJCEngine -Command 'safety-approve' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
                [void]$PSCmdlet.ShouldProcess($path, ('Approve {0} more {1} changes in the safety window' -f $_.Approved, $SafetyKind))
            }
            return
        }
        if ($PSCmdlet.ShouldProcess($path, ('Approve {0} past the sync safety limit' -f $what))) {
            InvokeJCEngine -Command 'safety-approve' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
                $_.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SafetyApproval')
                $_
            }
        }
    }
}
