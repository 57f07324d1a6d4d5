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
        Start-JCSyncAgent

        Starts the agent of the default folder and shows its status.
    .EXAMPLE
        Start-JCSyncAgent -InstallPath /srv/jcadi -StartTimeoutSeconds 120 | Select-Object Status, Role

        Starts the agent installed in /srv/jcadi, waiting up to two minutes.
    .EXAMPLE
        Start-JCSyncAgent -ComputerName dc1, dc2 -Credential (Get-Credential 'EXAMPLE\admin')

        Starts the agents of two servers at once and waits until each reports connected.
    .OUTPUTS
        JumpCloudADI.SyncAgentStatus
    .LINK
        Stop-JCSyncAgent
    .LINK
        Get-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low', DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 60,

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
        if ($PSCmdlet.ShouldProcess($path, 'Start the JumpCloud sync agent')) {
            InvokeJCAgentService -Action Start -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet
        }
    }

    end {
        if ($fleet.Count -gt 0) {
            InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters -Action 'Start the JumpCloud sync agent'
        }
    }
}
