function GetJCSystemdUnitText {
    <#
    .SYNOPSIS
        The systemd unit of the agent: restarts on failure, stops with SIGTERM (graceful), runs
        as the agent's dedicated user with the file system read-only but for its own folder.
    .DESCRIPTION
        User/Group: the dedicated system user (jcadi) its folder and secrets belong to.
        NoNewPrivileges, ProtectSystem=strict with ReadWritePaths= only the install folder,
        ProtectHome, PrivateTmp, PrivateDevices, LimitCORE=0 (no core dump can hold a secret),
        no capabilities, no SUID/SGID files, UMask 0077. CA files named in agent.json must be
        readable by that user outside /home and /root.
    .PARAMETER InstallPath
        The install folder.
    .PARAMETER User
        The account the agent runs as (default: the module's dedicated user, jcadi).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $InstallPath,

        [ValidatePattern('^[a-z_][a-z0-9_-]{0,31}$')]
        [string] $User = $script:JCAgentUser
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
        '# No NODE_OPTIONS of the system reaches the agent (the same as agent-start and the Windows service host: engine/src/agent/install.ts).'
        ('Environment="NODE_OPTIONS={0}"' -f $script:JCAgentNodeOptions)
        '# glibc''s malloc settings (the same as agent-start gives it on Linux): a full reconcile''s native memory goes back to the system (engine/src/agent/install.ts ENGINE_LINUX_ENV).'
        ($script:JCEngineLinuxEnvironment | ForEach-Object { 'Environment="{0}"' -f $_ })
        'Restart=on-failure'
        'RestartSec=10'
        '# Exit 2: a bad configuration or a refused connect key; restarting cannot help.'
        'RestartPreventExitStatus=2'
        'KillSignal=SIGTERM'
        'TimeoutStopSec=60'
        ('User={0}' -f $User)
        ('Group={0}' -f $User)
        'UMask=0077'
        'NoNewPrivileges=true'
        'ProtectSystem=strict'
        ('ReadWritePaths="{0}"' -f $InstallPath.TrimEnd('/'))
        'ProtectHome=true'
        'PrivateTmp=true'
        'PrivateDevices=true'
        'LimitCORE=0'
        'CapabilityBoundingSet='
        'AmbientCapabilities='
        'RestrictSUIDSGID=true'
        'ProtectKernelTunables=true'
        'ProtectKernelModules=true'
        'ProtectControlGroups=true'
        'LockPersonality=true'
        ''
        '[Install]'
        'WantedBy=multi-user.target'
        ''
    )
    return ($lines -join "`n")
}
