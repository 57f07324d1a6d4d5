function Stop-JCSyncAgent {
    <#
    .SYNOPSIS
        Stops the JumpCloud AD sync agent installed on this server, gracefully.
    .DESCRIPTION
        Stops the agent's service (or background process). The agent finishes the operation in
        flight, saves its state (feed cursor, failures, change-tracking watermark) and exits; it
        catches up with everything that changed meanwhile when it starts again. While it is
        stopped, another agent of the domain (if any) is designated primary within the agent
        timeout. A process that does not stop within -StopTimeoutSeconds is killed (with a warning).
        On Windows the service host (jcadi-service.exe) stops the agent by closing its standard
        input, the Windows counterpart of SIGTERM; it waits up to 50 seconds (asking the service
        manager for more time meanwhile), then ends the agent and its child processes and writes a
        warning to the Application Event Log and logs\service.log.
    .PARAMETER InstallPath
        The install folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER StopTimeoutSeconds
        How long to wait for the graceful stop. Default: 60. (On Windows the service host's own
        50-second limit applies.)
    .PARAMETER ComputerName
        Runs the cmdlet on these servers over PowerShell remoting (the JumpCloudADI module must be
        installed there), all at once up to -ThrottleLimit. Names can be piped in. Each result
        carries ComputerName; a server that cannot be reached or fails is a non-terminating error
        (Remote.Unreachable, Remote.ModuleMissing or the cmdlet's own error) and the others go on.
        Paths (-InstallPath, CA files) are those of the remote server. Secrets travel as
        SecureStrings inside the encrypted remoting session.
    .PARAMETER Credential
        The account for PowerShell remoting (-ComputerName); default: the current one.
    .PARAMETER ThrottleLimit
        How many servers at once with -ComputerName. Default: 32.
    .EXAMPLE
        Stop-JCSyncAgent

        Stops the agent of the default folder (asks first only with -Confirm).
    .EXAMPLE
        Stop-JCSyncAgent -InstallPath /srv/jcadi -WhatIf

        Shows what would be stopped.
    .EXAMPLE
        Stop-JCSyncAgent -ComputerName dc2 -WhatIf

        Shows that the agent of dc2 would be stopped.
    .OUTPUTS
        JumpCloudADI.SyncAgentStatus
        On a host without a service manager; nothing otherwise.
    .LINK
        Start-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateRange(1, 600)]
        [int] $StopTimeoutSeconds = 60,

        [Parameter(Mandatory = $true, ParameterSetName = 'Remote', ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(ParameterSetName = 'Remote')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Remote')]
        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32
    )

    begin {
        $fleet = New-Object -TypeName System.Collections.Generic.List[string]
    }

    process {
        if (TestJCRemoteCall -Cmdlet $PSCmdlet -InputObject $_) {
            $fleet.AddRange([string[]]$ComputerName)
            return
        }
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        if ($PSCmdlet.ShouldProcess($path, 'Stop the JumpCloud sync agent')) {
            InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds $StopTimeoutSeconds -Cmdlet $PSCmdlet
        }
    }

    end {
        if ($fleet.Count -gt 0) {
            InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters -Action 'Stop the JumpCloud sync agent'
        }
    }
}
