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
    .EXAMPLE
        Stop-JCSyncAgent

        Stops the agent of the default folder (asks first only with -Confirm).
    .EXAMPLE
        Stop-JCSyncAgent -InstallPath /srv/jcadi -WhatIf

        Shows what would be stopped.
    .OUTPUTS
        JumpCloudADI.SyncAgentStatus
        On a host without a service manager; nothing otherwise.
    .LINK
        Start-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.SyncAgentStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateRange(1, 600)]
        [int] $StopTimeoutSeconds = 60
    )

    process {
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        if ($PSCmdlet.ShouldProcess($path, 'Stop the JumpCloud sync agent')) {
            InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds $StopTimeoutSeconds -Cmdlet $PSCmdlet
        }
    }
}
