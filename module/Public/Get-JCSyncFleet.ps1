function Get-JCSyncFleet {
    <#
    .SYNOPSIS
        Shows every sync agent of an ADI domain at once: JumpCloud's view joined with each server's own status, and what needs attention.
    .DESCRIPTION
        Reads JumpCloud's list of the domain's agents (state active, inactive or unsealed, which
        one is primary, last contact, version) and asks each server for its agent's status
        (Get-JCSyncAgent over PowerShell remoting, all servers at once up to -ThrottleLimit), then
        joins them by agent id. One JumpCloudADI.SyncFleetMember per agent, with Flags:
          NoPrimary           the domain has no active primary (on every member);
          NotHeardFrom        JumpCloud has not heard from the agent within its timeout (inactive);
          NotConnected        the agent record's connect key was never used;
          NotRunning          the agent is installed on the server but does not run;
          VersionBehind       the agent's version is older than this module's engine;
          UnknownToJumpCloud  the server runs an agent whose record JumpCloud no longer has
                              (removed, or another organization's);
          NoServer            JumpCloud lists an agent that none of the servers runs (a server
                              that is gone: Remove-JCSyncAgentRecord deletes the record);
          Unreachable         the server could not be asked (also a non-terminating error).
        NeedsAttention is true when any flag is set.

        Without -ComputerName the servers are the host names JumpCloud has for the agents.
    .PARAMETER Domain
        The ADI domain (DC=example;DC=com) or its JumpCloud id.
    .PARAMETER ComputerName
        The servers to ask (default: the host names JumpCloud reports for the domain's agents).
        Names can be piped in.
    .PARAMETER InstallPath
        The agent's install folder on the servers. Default: the default folder.
    .PARAMETER Credential
        The account for PowerShell remoting; default: the current one.
    .PARAMETER ThrottleLimit
        How many servers at once. Default: 32.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key, as a SecureString.
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
        An HTTP proxy for every JumpCloud call, as http://host:port. HTTPS goes through a CONNECT
        tunnel: TLS to JumpCloud stays end to end and verified. Environment uses HTTPS_PROXY and
        NO_PROXY of this session instead.
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication).
    .EXAMPLE
        Get-JCSyncFleet -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey | Format-Table ComputerName, State, Primary, Role, Version, Flags

        The domain's agents with their servers: which one is primary, who is silent, who is behind.
    .EXAMPLE
        Get-JCSyncFleet -Domain 'DC=example;DC=com' -ComputerName dc1, dc2, dc3 -JumpCloudApiKey $apiKey | Where-Object NeedsAttention

        Only the agents that need attention.
    .EXAMPLE
        Get-JCSyncFleet -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey | Where-Object { $_.Flags -contains 'NoServer' } | Remove-JCSyncAgentRecord -JumpCloudApiKey $apiKey

        Removes from JumpCloud the agents whose server is gone (asks first for each).
    .OUTPUTS
        JumpCloudADI.SyncFleetMember
        Domain, ComputerName, AgentId, Hostname, State, Primary, ContactAt, JumpCloudVersion,
        Reachable, Installed, Running, Connected, Role, Version, InstallPath, LastError, Flags,
        NeedsAttention.
    .LINK
        Get-JCSyncAgent
    .LINK
        Update-JCSyncAgent
    .LINK
        Remove-JCSyncAgentRecord
    #>
    [CmdletBinding()]
    [OutputType('JumpCloudADI.SyncFleetMember')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [Parameter(ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32,

        [Parameter(Mandatory = $true)]
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
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty
    )

    begin {
        $fleet = New-Object -TypeName System.Collections.Generic.List[string]
    }

    process {
        if ($null -ne $ComputerName) {
            $fleet.AddRange([string[]]$ComputerName)
        }
    }

    end {
        $engineParams = [ordered]@{
            jumpcloud = (NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
            domain    = $Domain
        }
        $record = @(InvokeJCEngine -Command 'adi-domain-list' -Parameters $engineParams -Cmdlet $PSCmdlet)[0]
        $moduleVersion = @(InvokeJCEngine -Command 'version' -Parameters ([ordered]@{}) -Cmdlet $PSCmdlet)[0].Version

        if ($fleet.Count -eq 0) {
            foreach ($agent in @($record.Agents)) {
                if ($null -ne $agent -and -not [string]::IsNullOrEmpty([string]$agent.Hostname)) {
                    $fleet.Add([string]$agent.Hostname)
                }
            }
        }

        $statuses = @()
        $unreachable = New-Object -TypeName System.Collections.Generic.List[string]
        if ($fleet.Count -gt 0) {
            $statusParameters = @{}
            if ($PSBoundParameters.ContainsKey('InstallPath')) {
                $statusParameters['InstallPath'] = $InstallPath
            }
            $request = NewJCFleetRequest -ComputerName $fleet.ToArray() -Command 'Get-JCSyncAgent' -BoundParameters $statusParameters -ThrottleLimit $ThrottleLimit -Credential $Credential
            $answers = @(InvokeJCFleetCommand -Request $request -Cmdlet $PSCmdlet -PassErrors)
            foreach ($answer in $answers) {
                if ($answer -is [System.Management.Automation.ErrorRecord]) {
                    $PSCmdlet.WriteError($answer)
                    $unreachable.Add([string]$answer.ComputerName)
                }
            }
            $statuses = @($answers | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_.PSObject.TypeNames -contains 'JumpCloudADI.SyncAgentStatus' })
        }
        $rows = @(MergeJCFleetView -Domain $record -Status $statuses -Unreachable $unreachable.ToArray() -ModuleVersion $moduleVersion)
        if (@($rows | Where-Object { $_.Flags -contains 'NoPrimary' }).Count -gt 0 -or $rows.Count -eq 0) {
            Write-Warning -Message ('The ADI domain {0} has no active primary agent: no agent applies changes.' -f $record.Domain)
        }
        $rows
    }
}
