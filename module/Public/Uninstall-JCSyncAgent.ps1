function Uninstall-JCSyncAgent {
    <#
    .SYNOPSIS
        Stops and removes the JumpCloud AD sync agent installed on this server.
    .DESCRIPTION
        Stops the agent gracefully (it finishes the operation in flight and saves its state),
        removes its service (Windows service or systemd unit), then removes its files: the engine
        (and on Windows the service host jcadi-service.exe), the configuration and its key file, the state, and, unless -KeepHistory, the journal and
        the logs. With the JumpCloud API key it also deletes the agent's record in JumpCloud, so
        the domain no longer lists it. Nothing in Active Directory is changed.

        Uninstall first to change a domain controller installation into a member server one (or
        back). Without an installation in the folder the error is Agent.NotInstalled.
    .PARAMETER InstallPath
        The install folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER KeepHistory
        Keeps the journal (Get-JCSyncHistory -JournalPath) and the logs.
    .PARAMETER StopTimeoutSeconds
        How long to wait for the agent to stop. Default: 60.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key: when given, the agent's record is deleted in JumpCloud too.
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
        Uninstall-JCSyncAgent -JumpCloudApiKey $apiKey

        Removes the agent from the default folder and its record from JumpCloud (asks first).
    .EXAMPLE
        Uninstall-JCSyncAgent -InstallPath D:\JumpCloud\ADI -KeepHistory -Confirm:$false

        Removes the agent from D:\JumpCloud\ADI without asking, keeping its journal and logs.
    .EXAMPLE
        Uninstall-JCSyncAgent -ComputerName dc3 -JumpCloudApiKey $apiKey -Confirm:$false

        Removes the agent of dc3 there and its record in JumpCloud.
    .OUTPUTS
        JumpCloudADI.SyncAgentUninstall
        InstallPath, AgentId, AgentRevoked and Removed (the paths removed).
    .LINK
        Install-JCSyncAgent
    .LINK
        Stop-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentUninstall')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [switch] $KeepHistory,

        [ValidateRange(1, 600)]
        [int] $StopTimeoutSeconds = 60,

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
        $files = GetJCAgentFiles -InstallPath $path
        if (-not (Test-Path -LiteralPath $files.Config -PathType Leaf)) {
            $message = 'No sync agent is installed in {0}.' -f $path
            $record = NewJCErrorRecord -ErrorId 'Agent.NotInstalled' -Message $message -Category ObjectNotFound -TargetObject $path -ExceptionType 'System.IO.FileNotFoundException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        $engineParams = [ordered]@{
            installPath = $path
            keepHistory = [bool]$KeepHistory
        }
        if ($PSBoundParameters.ContainsKey('JumpCloudApiKey')) {
            $engineParams['jumpcloud'] = NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
        }
        if (-not $PSCmdlet.ShouldProcess($path, 'Stop and remove the JumpCloud sync agent')) {
            return
        }
        [void](InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds $StopTimeoutSeconds -Cmdlet $PSCmdlet)
        InvokeJCAgentService -Action Unregister -InstallPath $path -Cmdlet $PSCmdlet
        InvokeJCEngine -Command 'agent-uninstall' -Parameters $engineParams -Cmdlet $PSCmdlet
    }

    end {
        if ($fleet.Count -gt 0) {
            InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters -Action 'Stop and remove the JumpCloud sync agent'
        }
    }
}
