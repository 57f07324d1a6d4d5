function New-JCSyncConnectKey {
    <#
    .SYNOPSIS
        Creates a sync agent record for an ADI domain in JumpCloud and returns its one-time connect key.
    .DESCRIPTION
        Asks JumpCloud for a new sync agent of the ADI domain, as "Download Sync Agent" does in the
        Admin Portal, and returns its connect key as a SecureString: it is never printed, logged
        or written to a file. A connect key works once (one installation) and expires after 7
        days; give each server its own (Install-JCSyncAgent -ComputerName does).

        The result pipes into Install-JCSyncAgent (its ConnectKey and Domain properties bind by name).
    .PARAMETER Domain
        The ADI domain: its name (DC=example;DC=com) or its JumpCloud id.
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
        An HTTP proxy for every JumpCloud call, as http://host:port (for example
        http://proxy.corp:3128). HTTPS goes through a CONNECT tunnel: TLS to JumpCloud stays end to
        end and verified. Environment uses HTTPS_PROXY and NO_PROXY of this session instead. Without
        -Proxy, JumpCloud is reached directly (environment variables are not read).
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication). The password is handed to the
        engine on its standard input only.
    .EXAMPLE
        $key = New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey
        $key.ExpiresAt

        Creates an agent record; $key.ConnectKey holds the key as a SecureString.
    .EXAMPLE
        New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey |
            Install-JCSyncAgent -ServerType DC -RootUserDN 'CN=Users;DC=example;DC=com' -ServiceAccountCredential $cred -JumpCloudApiKey $apiKey

        Creates a key and installs the agent on this domain controller with it.
    .OUTPUTS
        JumpCloudADI.SyncConnectKey
        AgentId, Domain, DomainId, CreatedAt, ExpiresAt and ConnectKey (a SecureString).
    .LINK
        Install-JCSyncAgent
    .LINK
        New-JCADIDomain
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('JumpCloudADI.SyncConnectKey')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

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

    $engineParams = [ordered]@{
        jumpcloud = (NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
        domain    = $Domain
    }
    if (-not $PSCmdlet.ShouldProcess($Domain, 'Create a sync agent record and its one-time connect key')) {
        return
    }
    foreach ($record in @(InvokeJCEngine -Command 'agent-connect-key-new' -Parameters $engineParams -Cmdlet $PSCmdlet)) {
        # The key becomes a SecureString at once; the plain copy is dropped with the engine record.
        $secure = New-Object -TypeName System.Security.SecureString
        foreach ($character in ([string]$record.Key).ToCharArray()) {
            $secure.AppendChar($character)
        }
        $secure.MakeReadOnly()
        $record.Key = $null
        [pscustomobject]@{
            PSTypeName = 'JumpCloudADI.SyncConnectKey'
            AgentId    = $record.AgentId
            Domain     = $record.Domain
            DomainId   = $record.DomainId
            CreatedAt  = $record.CreatedAt
            ExpiresAt  = $record.ExpiresAt
            ConnectKey = $secure
        }
    }
}
