function Get-JCSyncAgent {
    <#
    .SYNOPSIS
        Shows this server's JumpCloud AD sync agent and, with the API key, every agent of its domain.
    .DESCRIPTION
        Returns one JumpCloudADI.SyncAgentStatus object for the agent installed in the folder:
        installed version, service manager and service state, its mode (AgentChannel: connect
        key and JumpCloud's agent service; ApiKey: the public API and Directory Insights only,
        installed with Install-JCSyncAgent -ApiKeyOnly), whether passwords are synced
        (PasswordSync: 'not synced in API-key mode' there), whether it runs, whether it is
        connected to JumpCloud, its role (Primary: it applies the changes; Standby: it stays
        ready; Standalone: the API-key mode, which always acts), the last heartbeat, the last full reconcile and the last change applied, how
        many objects are waiting for a retry (Pending) or quarantined after repeated failures
        (Failed, with the reasons in Quarantined), the kinds of destructive change the rolling
        safety limit holds back (SafetyHold: kind, how many, how many were made in the window,
        the limit; Approve-JCSyncSafetyLimit lets them through), and the last error. A folder
        without an installation gives Installed = $false.

        With -JumpCloudApiKey it also returns, as JumpCloud sees them, every agent of the
        agent's ADI domain (JumpCloudADI.SyncAgentInfo): host, state, Health (Green: active;
        Red: silent; Pending: connect key not used yet), whether it is the primary, and whether it
        is this machine's agent.
    .PARAMETER InstallPath
        The install folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key: when given, every agent of the domain is listed as well.
    .PARAMETER Region
        The JumpCloud region: US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region (the local sandbox). Must be https://.
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud. The certificate is always verified.
    .PARAMETER JumpCloudTimeoutSeconds
        How long to wait for each JumpCloud request. Default: 30.
    .PARAMETER Proxy
        An HTTP proxy for every JumpCloud call, as http://host:port (for example
        http://proxy.corp:3128). HTTPS goes through a CONNECT tunnel: TLS to JumpCloud stays end to
        end and verified. Environment uses HTTPS_PROXY and NO_PROXY of this session instead. Without
        -Proxy, JumpCloud is reached directly (environment variables are not read).
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication). The password is handed to the
        engine on its standard input only.
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
        Get-JCSyncAgent

        Shows this server's agent: running, connected, Primary or Standby, last heartbeat.
    .EXAMPLE
        Get-JCSyncAgent -JumpCloudApiKey $apiKey | Where-Object { $_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentInfo' -and $_.Health -ne 'Green' }

        Lists the agents of the domain that JumpCloud does not hear from.
    .EXAMPLE
        (Get-JCSyncAgent).Quarantined | Format-List

        Shows the objects the agent stopped retrying, with the reason.
    .EXAMPLE
        'dc1', 'dc2', 'dc3' | Get-JCSyncAgent | Format-Table ComputerName, Running, Connected, Role, Version, LastHeartbeat

        The agents of three domain controllers side by side, queried at once over remoting.
    .OUTPUTS
        JumpCloudADI.SyncAgentStatus
        JumpCloudADI.SyncAgentInfo
        The agents of the domain, with -JumpCloudApiKey.
    .LINK
        Start-JCSyncAgent
    .LINK
        Get-JCSyncHistory
    .LINK
        Get-JCADIDomain
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentStatus', 'JumpCloudADI.SyncAgentInfo')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [System.Security.SecureString] $JumpCloudApiKey,

        [ValidateSet('US', 'EU', 'IN')]
        [string] $Region,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudUrl,

        [ValidatePattern('^[0-9a-fA-F]{24}$')]
        [string] $OrgId,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudCertificateAuthorityFile,

        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds = 30,

        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

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
        $engineParams = [ordered]@{
            installPath = $path
        }
        if ($PSBoundParameters.ContainsKey('JumpCloudApiKey')) {
            $engineParams['jumpcloud'] = NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
        }
        $service = InvokeJCAgentService -Action Query -InstallPath $path -Cmdlet $PSCmdlet
        InvokeJCEngine -Command 'agent-status' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
            if ($_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus') {
                Add-Member -InputObject $_ -MemberType NoteProperty -Name ServiceManager -Value $service.Manager -Force
                Add-Member -InputObject $_ -MemberType NoteProperty -Name ServiceState -Value $service.State -Force
            }
            $_
        }
    }

    end {
        if ($fleet.Count -gt 0) {
            InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters
        }
    }
}
