# ---------------------------------------------------------------------------------------------
# InvokeJCAgentService: the one place that registers, starts, stops and removes the sync agent
# as a service. Windows: a Windows service. Linux with systemd: a systemd unit. Elsewhere (a host
# without a service manager, such as a container): a detached background process with a pid file,
# started and stopped by the engine (agent-start / agent-stop).
# systemd runs      <install folder>/jcadi-engine run --config <install folder>/agent.json
# Windows runs the service host "<install folder>\jcadi-service.exe" (engine/service-host), which
# speaks the Service Control Manager's protocol and starts
#     <install folder>\jcadi-engine.exe run --config <install folder>\agent.json --stop-on-stdin-close
# stopping it by closing its stdin (a Windows process cannot be sent SIGTERM).
# No secret is ever on a command line or in an environment.
# ---------------------------------------------------------------------------------------------

function InvokeJCAgentService {
    <#
    .SYNOPSIS
        Registers, starts, stops or removes the sync agent service of an install folder.
    .DESCRIPTION
        Register and Unregister create and remove the Windows service or the systemd unit (nothing
        to do for a plain process). Register on Windows registers the service host
        (jcadi-service.exe) to run as the virtual account NT SERVICE\JumpCloudADISync (an existing
        LocalSystem registration is moved over), with restart failure actions that also apply when it stops with a
        non-zero exit code (failureflag 1); run again, it points an existing service at the host
        (an upgrade) and sets the failure actions again. Start starts it and waits until the agent
        reports connected to JumpCloud (or failed: the agent's error, such as
        JumpCloud.ConnectKeyUsed, is thrown), and returns the agent's JumpCloudADI.SyncAgentStatus. Stop stops it gracefully. Query returns
        the service manager's view: Windows or Systemd and the service state, or Process.
    .PARAMETER Action
        Register, Unregister, Start, Stop or Query.
    .PARAMETER InstallPath
        The install folder (absolute).
    .PARAMETER TimeoutSeconds
        How long Start waits for the agent to report, and Stop for it to exit.
    .PARAMETER ServiceName
        Windows: the service (default JumpCloudADISync). Invoke-JCSyncRehearsal passes its own
        JumpCloudADISync-Rehearsal-<time>, registered the same way (GetJCServiceRegistration).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Register', 'Unregister', 'Start', 'Stop', 'Query')]
        [string] $Action,

        [Parameter(Mandatory = $true)]
        [string] $InstallPath,

        [int] $TimeoutSeconds = 60,

        [ValidateNotNullOrEmpty()]
        [string] $ServiceName = $script:JCServiceName,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $manager = GetJCServiceManager
    $files = GetJCAgentFiles -InstallPath $InstallPath
    $unitPath = Join-Path -Path $script:JCSystemdUnitFolder -ChildPath $script:JCSystemdUnitName

    switch ($Action) {
        'Register' {
            if ($manager -eq 'Windows') {
                # Computed as data (GetJCServiceRegistration): the quoted service host, its virtual
                # account, and sc.exe by full path for the SID type and the failure actions.
                $registration = GetJCServiceRegistration -ServiceHostPath $files.ServiceHost -ServiceName $ServiceName
                $existing = Get-Service -Name $registration.Name -ErrorAction SilentlyContinue
                if ($null -eq $existing) {
                    $splatService = @{
                        Name           = $registration.Name
                        BinaryPathName = $registration.BinaryPathName
                        DisplayName    = $registration.DisplayName
                        Description    = 'Keeps Active Directory in step with JumpCloud (users, groups, passwords).'
                        StartupType    = $registration.StartupType
                    }
                    [void](New-Service @splatService)
                }
                else {
                    SetJCServiceBinaryPath -Name $registration.Name -BinaryPathName $registration.BinaryPathName -Cmdlet $Cmdlet
                }
                # Never LocalSystem: a new service and an older LocalSystem registration alike.
                SetJCServiceAccount -Name $registration.Name -Change $registration.AccountChange -Cmdlet $Cmdlet
                foreach ($arguments in $registration.ScArguments) {
                    InvokeJCNativeCommand -FilePath $registration.ScExe -ArgumentList $arguments -Cmdlet $Cmdlet
                }
                RegisterJCEventSource -Source $registration.EventSource
            }
            elseif ($manager -eq 'Systemd') {
                [System.IO.File]::WriteAllText($unitPath, (GetJCSystemdUnitText -InstallPath $InstallPath))
                InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('daemon-reload') -Cmdlet $Cmdlet
                InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('enable', $script:JCSystemdUnitName) -Cmdlet $Cmdlet
            }
        }
        'Unregister' {
            if ($manager -eq 'Windows') {
                if ($null -ne (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue)) {
                    InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'sc.exe') -ArgumentList @('delete', $ServiceName) -Cmdlet $Cmdlet
                }
            }
            elseif ($manager -eq 'Systemd') {
                if (Test-Path -LiteralPath $unitPath -PathType Leaf) {
                    InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('disable', $script:JCSystemdUnitName) -Cmdlet $Cmdlet
                    Remove-Item -LiteralPath $unitPath -Force
                    InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('daemon-reload') -Cmdlet $Cmdlet
                }
            }
        }
        'Start' {
            if ($manager -eq 'Process') {
                return (InvokeJCEngine -Command 'agent-start' -Parameters ([ordered]@{ installPath = $InstallPath; timeoutSeconds = $TimeoutSeconds }) -Cmdlet $Cmdlet)
            }
            $since = [System.DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)
            if ($manager -eq 'Windows') {
                Start-Service -Name $ServiceName -ErrorAction Stop
            }
            else {
                InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('start', $script:JCSystemdUnitName) -Cmdlet $Cmdlet
            }
            return (InvokeJCEngine -Command 'agent-wait' -Parameters ([ordered]@{ installPath = $InstallPath; timeoutSeconds = $TimeoutSeconds; since = $since }) -Cmdlet $Cmdlet)
        }
        'Stop' {
            if ($manager -eq 'Process') {
                return (InvokeJCEngine -Command 'agent-stop' -Parameters ([ordered]@{ installPath = $InstallPath; timeoutSeconds = $TimeoutSeconds }) -Cmdlet $Cmdlet)
            }
            if ($manager -eq 'Windows') {
                if ($null -ne (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue)) {
                    Stop-Service -Name $ServiceName -ErrorAction Stop
                }
            }
            elseif (Test-Path -LiteralPath $unitPath -PathType Leaf) {
                InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'systemctl') -ArgumentList @('stop', $script:JCSystemdUnitName) -Cmdlet $Cmdlet
            }
        }
        'Query' {
            $state = $null
            if ($manager -eq 'Windows') {
                $service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
                if ($null -ne $service) {
                    $state = [string]$service.Status
                }
            }
            elseif ($manager -eq 'Systemd') {
                $systemctl = GetJCSystemProgram -Name 'systemctl'
                $state = [string](& $systemctl is-active $script:JCSystemdUnitName 2>$null)
            }
            $shown = $script:JCServiceName
            if ($manager -eq 'Windows') {
                $shown = $ServiceName
            }
            return [pscustomobject]@{ Manager = $manager; Name = $shown; State = $state }
        }
    }
}
