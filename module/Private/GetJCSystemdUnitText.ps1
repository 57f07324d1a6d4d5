function GetJCSystemdUnitText {
    <#
    .SYNOPSIS
        The systemd unit of the agent: restarts on failure, stops with SIGTERM (graceful).
    .PARAMETER InstallPath
        The install folder.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $InstallPath
    )

    $files = GetJCAgentFiles -InstallPath $InstallPath
    $lines = @(
        '[Unit]'
        ('Description={0}' -f $script:JCServiceDisplayName)
        'After=network-online.target samba-ad-dc.service'
        'Wants=network-online.target'
        ''
        '[Service]'
        'Type=simple'
        ('ExecStart={0}' -f (GetJCServiceCommandLine -EnginePath $files.Engine -ConfigFile $files.Config))
        ('WorkingDirectory={0}' -f $InstallPath)
        'Restart=on-failure'
        'RestartSec=10'
        '# Exit 2: a bad configuration or a refused connect key; restarting cannot help.'
        'RestartPreventExitStatus=2'
        'KillSignal=SIGTERM'
        'TimeoutStopSec=60'
        'UMask=0077'
        'NoNewPrivileges=true'
        ''
        '[Install]'
        'WantedBy=multi-user.target'
        ''
    )
    return ($lines -join "`n")
}
