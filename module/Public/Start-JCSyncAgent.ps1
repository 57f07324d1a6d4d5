function Start-JCSyncAgent {
    <#
    .SYNOPSIS
        Starts the JumpCloud AD sync agent installed on this server and waits until it is connected.
    .DESCRIPTION
        Starts the agent's service (Windows service, systemd unit, or a background process on a
        host without a service manager) and waits until the agent reports connected to JumpCloud.
        An agent already running is left as it is. If it cannot start, its own error is the
        cmdlet's (for example JumpCloud.ConnectKeyUsed, AD.BindFailed) and the log file named in
        the message says more.
    .PARAMETER InstallPath
        The install folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER StartTimeoutSeconds
        How long to wait for the agent to report. Default: 60.
    .EXAMPLE
        Start-JCSyncAgent

        Starts the agent of the default folder and shows its status.
    .EXAMPLE
        Start-JCSyncAgent -InstallPath /srv/jcadi -StartTimeoutSeconds 120 | Select-Object Status, Role

        Starts the agent installed in /srv/jcadi, waiting up to two minutes.
    .OUTPUTS
        JumpCloudADI.SyncAgentStatus
    .LINK
        Stop-JCSyncAgent
    .LINK
        Get-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('JumpCloudADI.SyncAgentStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 60
    )

    process {
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        if ($PSCmdlet.ShouldProcess($path, 'Start the JumpCloud sync agent')) {
            InvokeJCAgentService -Action Start -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet
        }
    }
}
