function Update-JCSyncAgent {
    <#
    .SYNOPSIS
        Upgrades the sync agents of several servers one at a time, standbys first and the primary last, so that syncing never stops for longer than one failover.
    .DESCRIPTION
        A rolling upgrade across the servers of an ADI domain:
          1. asks every server for its agent's status (at once, over PowerShell remoting); a server
             that cannot be asked, or has no agent installed, stops everything before it starts
             (Update.NotReady), nothing is upgraded;
          2. upgrades the standbys one at a time, then the primary last: on each server
             Install-JCSyncAgent upgrades in place (the engine replaced, the configuration kept,
             the agent restarted), then the cmdlet waits until that agent runs, is connected to
             JumpCloud and not degraded, and - after the primary - until one of the agents is
             primary again. While the primary restarts a standby (already upgraded) takes over
             within the agent timeout: one failover, no change waits longer;
          3. stops at the first failure (Update.Stopped), saying on which server and at which step,
             what was upgraded and what was not.
        -WhatIf lists the order (one "What if:" line per server, with its step and role) and
        changes nothing.

        The new version comes from the module the servers load: the one installed there, or the
        copy at -RemoteModulePath (copy it there first, for example with Copy-Item -ToSession).
    .PARAMETER ComputerName
        The servers whose agents to upgrade. Names can be piped in.
    .PARAMETER InstallPath
        The agent's install folder on the servers. Default: the default folder.
    .PARAMETER RemoteModulePath
        The JumpCloudADI module (its .psd1) to load on each server instead of the installed one.
    .PARAMETER Credential
        The account for PowerShell remoting; default: the current one.
    .PARAMETER ThrottleLimit
        How many servers are asked for their status at once. Default: 32. (The upgrade itself is
        one server at a time.)
    .PARAMETER HealthTimeoutSeconds
        How long to wait for each upgraded agent to be healthy (and for a primary after the last
        step). Default: 120.
    .EXAMPLE
        Update-JCSyncAgent -ComputerName dc1, dc2, dc3 -WhatIf

        Lists the order: the standbys, then the primary.
    .EXAMPLE
        'dc1', 'dc2', 'dc3' | Update-JCSyncAgent -Confirm:$false | Format-Table ComputerName, Step, RoleBefore, VersionBefore, VersionAfter, Seconds

        Upgrades the three agents one after the other with the module installed on each server.
    .OUTPUTS
        JumpCloudADI.SyncAgentUpgrade
        ComputerName, Step, Of, RoleBefore, RoleAfter, VersionBefore, VersionAfter,
        ProcessIdBefore, ProcessIdAfter, Seconds: one per server upgraded.
    .LINK
        Install-JCSyncAgent
    .LINK
        Get-JCSyncFleet
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.SyncAgentUpgrade')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateNotNullOrEmpty()]
        [string] $RemoteModulePath,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32,

        [ValidateRange(10, 3600)]
        [int] $HealthTimeoutSeconds = 120
    )

    begin {
        $fleet = New-Object -TypeName System.Collections.Generic.List[string]
    }

    process {
        $fleet.AddRange([string[]]$ComputerName)
    }

    end {
        $common = @{}
        if ($PSBoundParameters.ContainsKey('InstallPath')) {
            $common['InstallPath'] = $InstallPath
        }
        $splatRequest = @{ Credential = $Credential; ModulePath = $RemoteModulePath }

        # 1. Every server's status, at once.
        $request = NewJCFleetRequest -ComputerName $fleet.ToArray() -Command 'Get-JCSyncAgent' -BoundParameters $common -ThrottleLimit $ThrottleLimit @splatRequest
        $answers = @(InvokeJCFleetCommand -Request $request -Cmdlet $PSCmdlet -PassErrors)
        $problems = New-Object -TypeName System.Collections.Generic.List[string]
        foreach ($answer in $answers) {
            if ($answer -is [System.Management.Automation.ErrorRecord]) {
                $problems.Add($answer.Exception.Message)
            }
            elseif ($answer.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus' -and -not $answer.Installed) {
                $problems.Add(('{0}: no sync agent is installed in {1}.' -f $answer.ComputerName, $answer.InstallPath))
            }
        }
        $statuses = @($answers | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus' })
        if ($problems.Count -gt 0) {
            $message = 'Nothing was upgraded: every server must answer with an installed agent first. {0}' -f ($problems -join ' ')
            $PSCmdlet.ThrowTerminatingError((NewJCErrorRecord -ErrorId 'Update.NotReady' -Message $message -Category InvalidOperation -TargetObject ($request.ComputerName -join ', ') -ExceptionType 'System.InvalidOperationException'))
        }
        # The caller's order, then standbys first and the primary last.
        $byName = @{}
        foreach ($status in $statuses) {
            $byName[[string]$status.ComputerName] = $status
        }
        $inOrder = @($request.ComputerName | ForEach-Object { $byName[$_] } | Where-Object { $null -ne $_ })
        $steps = @(GetJCUpgradeOrder -Status $inOrder)
        if (@($steps | Where-Object { $_.Role -ne 'Primary' }).Count -eq 0 -and $steps.Count -gt 0) {
            Write-Warning -Message 'No standby agent among these servers: while the primary restarts, no agent syncs the domain.'
        }

        $done = New-Object -TypeName System.Collections.Generic.List[string]
        foreach ($step in $steps) {
            $action = 'Upgrade the JumpCloud sync agent (step {0} of {1}, {2})' -f $step.Step, $step.Of, $step.Role
            if (-not $PSCmdlet.ShouldProcess($step.ComputerName, $action)) {
                continue
            }
            $started = [System.DateTime]::UtcNow
            $failure = $null
            $after = $null
            $installParameters = @{}
            foreach ($key in $common.Keys) {
                $installParameters[$key] = $common[$key]
            }
            $installParameters['StartTimeoutSeconds'] = [System.Math]::Min(600, $HealthTimeoutSeconds)
            $upgrade = NewJCFleetRequest -ComputerName $step.ComputerName -Command 'Install-JCSyncAgent' -BoundParameters $installParameters -Confirmable -ThrottleLimit 1 @splatRequest
            $results = @(InvokeJCFleetCommand -Request $upgrade -Cmdlet $PSCmdlet -PassErrors)
            $failed = @($results | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            if ($failed.Count -gt 0) {
                $failure = $failed[0].Exception.Message
            }
            else {
                # 2. Healthy: running, connected, not degraded; after the primary, a primary again.
                $deadline = [System.DateTime]::UtcNow.AddSeconds($HealthTimeoutSeconds)
                $last = 'no answer'
                while ($true) {
                    $names = @($step.ComputerName)
                    if ($step.Role -eq 'Primary') {
                        $names = @($request.ComputerName)
                    }
                    $check = NewJCFleetRequest -ComputerName $names -Command 'Get-JCSyncAgent' -BoundParameters $common -ThrottleLimit $ThrottleLimit @splatRequest
                    $now = @(InvokeJCFleetCommand -Request $check -Cmdlet $PSCmdlet -PassErrors | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus' })
                    $after = @($now | Where-Object { $_.ComputerName -eq $step.ComputerName })[0]
                    $healthy = $null -ne $after -and $after.Running -and $after.Connected -and $after.Status -ne 'Degraded'
                    $primaryBack = $step.Role -ne 'Primary' -or @($now | Where-Object { $_.Role -eq 'Primary' -and $_.Connected }).Count -gt 0
                    if ($healthy -and $primaryBack) {
                        break
                    }
                    if ($null -ne $after) {
                        $last = 'Running {0}, Connected {1}, Status {2}, LastError {3}' -f $after.Running, $after.Connected, $after.Status, $after.LastError
                    }
                    if (-not $primaryBack) {
                        $last += '; no agent is primary yet'
                    }
                    if ([System.DateTime]::UtcNow -gt $deadline) {
                        $failure = 'the upgraded agent was not healthy within {0} s ({1}).' -f $HealthTimeoutSeconds, $last
                        break
                    }
                    Start-Sleep -Milliseconds 500
                }
            }
            if ($null -ne $failure) {
                $remaining = @($steps | Where-Object { $_.Step -ge $step.Step } | ForEach-Object { $_.ComputerName })
                $upgradedText = 'none'
                if ($done.Count -gt 0) {
                    $upgradedText = $done -join ', '
                }
                $message = 'The rolling upgrade stopped at {0} (step {1} of {2}, {3}): {4} Upgraded: {5}. Not upgraded: {6}.' -f $step.ComputerName, $step.Step, $step.Of, $step.Role, $failure, $upgradedText, ($remaining -join ', ')
                $PSCmdlet.ThrowTerminatingError((NewJCErrorRecord -ErrorId 'Update.Stopped' -Message $message -Category InvalidOperation -TargetObject $step.ComputerName -ExceptionType 'System.InvalidOperationException'))
            }
            $done.Add($step.ComputerName)
            [pscustomobject]@{
                PSTypeName      = 'JumpCloudADI.SyncAgentUpgrade'
                ComputerName    = $step.ComputerName
                Step            = $step.Step
                Of              = $step.Of
                RoleBefore      = $step.Role
                RoleAfter       = $after.Role
                VersionBefore   = $step.Version
                VersionAfter    = $after.Version
                ProcessIdBefore = $step.ProcessId
                ProcessIdAfter  = $after.ProcessId
                Seconds         = [System.Math]::Round(([System.DateTime]::UtcNow - $started).TotalSeconds, 1)
            }
        }
    }
}
