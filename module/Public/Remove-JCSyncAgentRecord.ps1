function Remove-JCSyncAgentRecord {
    <#
    .SYNOPSIS
        Deletes the JumpCloud record of a sync agent whose server is gone.
    .DESCRIPTION
        When a server with an agent is decommissioned or lost without Uninstall-JCSyncAgent, its
        record stays in JumpCloud (inactive: Get-JCSyncFleet flags it NoServer or NotHeardFrom).
        This deletes the record: its credentials stop working and password changes are no longer
        sealed for it. The last active agent of the domain is refused (Agent.LastActiveAgent):
        without it no agent syncs the domain; -Force removes it anyway. An agent that is still
        active (others remain) is removed with a warning: uninstall it on its server. An id the
        domain does not have is Agent.RecordNotFound. Nothing on any server is changed.
    .PARAMETER Domain
        The ADI domain (DC=example;DC=com) or its JumpCloud id.
    .PARAMETER AgentId
        The agent's id (AgentId of Get-JCSyncFleet or Get-JCADIDomain's Agents).
    .PARAMETER Force
        Removes the domain's last active agent too.
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
        Remove-JCSyncAgentRecord -Domain 'DC=example;DC=com' -AgentId 65f0c1d2e3a4b5c6d7e8f901 -JumpCloudApiKey $apiKey

        Removes the record of one dead agent (asks first).
    .EXAMPLE
        Get-JCSyncFleet -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey | Where-Object { $_.Flags -contains 'NoServer' -and $_.State -eq 'inactive' } | Remove-JCSyncAgentRecord -JumpCloudApiKey $apiKey -Confirm:$false

        Removes every silent agent record that no server runs any more.
    .INPUTS
        JumpCloudADI.SyncFleetMember (its Domain and AgentId)
    .OUTPUTS
        JumpCloudADI.SyncAgentRecordRemoval
        Domain, DomainId, AgentId, Hostname, State, ContactAt, Version, WasPrimary, Removed.
    .LINK
        Get-JCSyncFleet
    .LINK
        Uninstall-JCSyncAgent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('JumpCloudADI.SyncAgentRecordRemoval')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $AgentId,

        [switch] $Force,

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

    process {
        $engineParams = [ordered]@{
            jumpcloud = (NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
            domain    = $Domain
            agentId   = $AgentId
            force     = [bool]$Force
            whatIf    = $false
        }
        if (-not $PSCmdlet.ShouldProcess(('agent {0} of {1}' -f $AgentId, $Domain), 'Remove the sync agent record from JumpCloud')) {
            return
        }
        InvokeJCEngine -Command 'agent-record-remove' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
