function Install-JCSyncAgent {
    <#
    .SYNOPSIS
        Installs the JumpCloud AD sync agent on this server (or upgrades it), or rolls it out to several servers.
    .DESCRIPTION
        Does what the AD Sync Agent installation wizard does, without prompts when every value is
        given (Server Core, scripts):
          1. checks the values: the server type (a member server needs its domain controller's
             FQDN), the LDAP mode (plain LDAP only with -AllowInsecureLdap and
             -AcknowledgeInsecureLdapRisk), the Root User DN (the Test-JCRootDN rules, and it must
             lie under the ADI domain), then binds to the domain controller with the service
             account, finds the root user container and finds the ADI domain in JumpCloud;
          2. creates the install folder (or checks an existing one) with its own access, before any
             secret is written: on Windows inheritance off, owner Administrators, access for
             SYSTEM, Administrators and the service's virtual account NT SERVICE\JumpCloudADISync
             only (a folder that grants more, belongs to someone else or is a junction is refused:
             -Force resets the first two); on Linux mode 0700, owned by the agent's dedicated
             system user jcadi (created when missing), never a symbolic link;
             copies the engine into the install folder (on Windows with the service host
             jcadi-service.exe, shipped next to the engine) and writes the configuration there,
             every secret encrypted at rest (DPAPI on Windows; elsewhere a key file readable only
             by the service's account, 0600, and AES-256-GCM);
          3. registers the agent as a service and starts it: on Windows the service
             JumpCloudADISync runs jcadi-service.exe, which starts the engine and stops it
             gracefully, and is restarted by the service manager when the agent fails (not for a
             bad configuration or a refused connect key: Event Log and logs\service.log say why);
             a systemd unit on Linux; on a host without a service manager, a background process
             with a pid file.
             At its first start the agent exchanges the one-time connect key for its own
             credentials, which replace the key in the configuration (encrypted as well);
          4. waits until the agent reports connected to JumpCloud. If it cannot start (a connect
             key already used or expired, for example), the installation is rolled back: nothing
             stays installed, and the agent's error is the cmdlet's (JumpCloud.ConnectKeyUsed,
             JumpCloud.ConnectKeyExpired, ...).

        Each bad value is a clear error and nothing is installed: Install.ParameterMissing,
        Agent.InsecureLdapNotAcknowledged, Agent.DomainControllerRequired, RootDN.Invalid,
        RootDN.NotUnderDomain, RootDN.NotFound, AD.BindFailed, JumpCloud.DomainNotFound.

        With -ApiKeyOnly (instead of -ConnectKey) it installs the API-key mode, for JumpCloud
        organizations where the agent service is not available: the agent uses the public API
        only. It finds its ADI domain, reads Directory Insights every few seconds (10 by
        default) for changes to users, groups, memberships and bindings, and answers them with
        the same full reconcile as the agent service's change feed; a full reconcile also runs
        every hour. Offboarding works the same (an account disabled in AD is suspended in
        JumpCloud). Passwords are NOT synced in this mode (Directory Insights carries none):
        users created in AD get a random initial password, as with Invoke-JCSync. There is no
        primary election either: run ONE agent per ADI domain in this mode. The API key must
        belong to an administrator who may read users, groups and Directory Insights; a key
        JumpCloud refuses stops the agent (JumpCloud.AuthFailed, JumpCloud.Forbidden).

        Run again over an existing installation, it upgrades: the engine (and the service host)
        is replaced, the service registration brought up to date, and the configuration kept
        (only -InstallPath is needed); changing a domain controller
        installation to a member server (or back) in place is refused with Agent.ServerTypeChange:
        uninstall first.

        With -ComputerName it rolls out over PowerShell remoting: for each computer it creates a
        fresh connect key (keys are one-time) and runs Install-JCSyncAgent there (the module must
        be installed on each computer). A failure on one computer is reported and the next one is
        done.

        Secrets (the service account's password, the API key, the connect key) reach the engine
        on its standard input only, never a command line or an environment variable.
    .PARAMETER InstallPath
        The destination folder. Default: C:\Program Files\JumpCloud\AD Integration\ on Windows,
        /opt/jumpcloudadi elsewhere.
    .PARAMETER ServerType
        DC (the agent runs on a domain controller and uses it) or MemberServer (it connects to
        the domain controller named by -DomainController).
    .PARAMETER DomainController
        The domain controller's FQDN (required for MemberServer; we recommend the FQDN). On a DC,
        the name its certificate carries (default: localhost).
    .PARAMETER LdapMode
        Ldaps (strongly recommended, the default), StartTls, or Ldap (no encryption: refused
        unless -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER Port
        TCP port of the domain controller. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it. Copied by path into the configuration.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap: data, passwords included, would cross the network unencrypted.
    .PARAMETER AcknowledgeInsecureLdapRisk
        Confirms that you understand the risk of plain LDAP; required with -AllowInsecureLdap.
    .PARAMETER TimeoutSeconds
        How long the agent waits for the domain controller (connecting and each operation). Default: 10.
    .PARAMETER RootUserDN
        The Root User container in the ADI form, for example CN=Users;DC=example;DC=com or
        OU=Corporate Users;DC=example;DC=com (capital OU, CN, DC; semicolons; ASCII).
    .PARAMETER Domain
        The ADI domain as registered in JumpCloud (DC=example;DC=com), in the same case.
    .PARAMETER ServiceAccountCredential
        The sync service account (for example jcsync@example.com) with the delegated rights on
        the Root User container. Not a domain administrator.
    .PARAMETER ConnectKey
        The one-time connect key (New-JCSyncConnectKey), as a SecureString.
    .PARAMETER AnchorKey
        An anchor key you keep yourself (New-JCSyncAnchorKey), as a SecureString: stored protected
        in agent.json. Without it the agent uses the key kept in the root container
        (CN=jcsync-anchor-key), making it when there is none yet. Either way the agent acts only on
        anchors whose proof is valid (reconcile, offboarding, passwords) and proves every anchor it
        writes. A key you keep is needed by every agent of the domain and every Invoke-JCSync run. Passed on to remote computers with -ComputerName.
    .PARAMETER Staging
        Installs a staging agent: it runs the whole agent loop against the real JumpCloud and AD,
        plans every operation it would apply and journals it once (Get-JCSyncHistory shows it with
        Outcome Staged), but writes nothing to AD, suspends nothing in JumpCloud (offboarding
        journals "would suspend") and sets no password ("would set the password", never the
        password itself). Get-JCSyncAgent shows Staging True. Watch real traffic for as long as
        needed, then go live with Set-JCSyncAgent -Staging:$false. Ignored on an upgrade (the
        configuration is kept; Set-JCSyncAgent -Staging changes it).
    .PARAMETER ApiKeyOnly
        Installs the API-key mode: no connect key, the public API and Directory Insights only,
        no password sync, one agent per ADI domain (see the description). -JumpCloudApiKey is
        required. Cannot be combined with -ConnectKey or -ComputerName.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key the agent reads users and groups with (and suspends users disabled
        in AD with), as a SecureString. Stored encrypted in the configuration.
    .PARAMETER Region
        The JumpCloud region: US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region (the local sandbox). Must be https://.
    .PARAMETER OrgId
        The JumpCloud organization id, for administrators of several organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud. The certificate is always verified.
    .PARAMETER JumpCloudTimeoutSeconds
        How long the agent waits for each JumpCloud request. Default: 30.
    .PARAMETER Proxy
        An HTTP proxy for every JumpCloud call, as http://host:port (for example
        http://proxy.corp:3128). HTTPS goes through a CONNECT tunnel: TLS to JumpCloud stays end to
        end and verified. Environment uses HTTPS_PROXY and NO_PROXY of this session instead. Without
        -Proxy, JumpCloud is reached directly (environment variables are not read). The agent keeps
        the proxy in agent.json and uses it for all its JumpCloud calls. With Environment the
        running agent reads HTTPS_PROXY and NO_PROXY of its own process: for a Windows service,
        machine-wide environment variables, not the installing user's.
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication). The password is handed to the
        engine on its standard input only; agent.json keeps it protected like the other secrets.
    .PARAMETER ProxyBypass
        Host names the agent reaches without the proxy: a name (with its subdomains), *.suffix,
        .suffix, an IP address, or *. Needs -Proxy with a URL.
    .PARAMETER StartTimeoutSeconds
        How long to wait for the started agent to report connected. Default: 60.
    .PARAMETER Force
        Resets an existing install folder (or %ProgramData%\JumpCloudADI) that is not safe to keep
        secrets in: one that grants access to more than SYSTEM, Administrators and the service's
        account NT SERVICE\JumpCloudADISync, inherits access from its parent, or belongs to
        another owner (on Linux: not 0700, or not the agent's). Without -Force such a folder is
        refused with an error that says what is wrong (Folder.Insecure). A junction or symbolic
        link is refused even with -Force (Folder.Link): remove it first.
    .PARAMETER ComputerName
        Servers to install on over PowerShell remoting, each with a fresh connect key.
    .PARAMETER RemoteCredential
        The account for PowerShell remoting (-ComputerName); default: the current one.
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        $key = New-JCSyncConnectKey -Domain 'DC=example;DC=com' -JumpCloudApiKey $apiKey
        $splatInstall = @{
            ServerType               = 'DC'
            RootUserDN               = 'OU=Corporate Users;DC=example;DC=com'
            Domain                   = 'DC=example;DC=com'
            ServiceAccountCredential = (Get-Credential 'jcsync@example.com')
            ConnectKey               = $key.ConnectKey
            JumpCloudApiKey          = $apiKey
        }
        Install-JCSyncAgent @splatInstall

        Installs the agent on this domain controller, over LDAPS, into the default folder.
    .EXAMPLE
        Install-JCSyncAgent -ServerType MemberServer -DomainController dc1.example.com -CertificateAuthorityFile C:\PKI\corp-ca.pem -RootUserDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com' -ServiceAccountCredential $cred -ConnectKey $key.ConnectKey -JumpCloudApiKey $apiKey

        Installs on a member server that connects to dc1 over LDAPS, trusting the corporate CA.
    .EXAMPLE
        Install-JCSyncAgent -InstallPath 'C:\Program Files\JumpCloud\AD Integration\'

        Upgrades the agent installed there: the engine is replaced, the configuration kept.
    .EXAMPLE
        Install-JCSyncAgent -ComputerName dc1, dc2, dc3 -ServerType DC -RootUserDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com' -ServiceAccountCredential $cred -JumpCloudApiKey $apiKey

        Rolls the agent out to three domain controllers, a fresh connect key for each.
    .EXAMPLE
        Install-JCSyncAgent -ApiKeyOnly -ServerType DC -RootUserDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com' -ServiceAccountCredential $cred -JumpCloudApiKey $apiKey

        Installs the agent in the API-key mode: changes reach AD through Directory Insights
        within seconds, passwords are not synced. Get-JCSyncAgent shows Mode ApiKey.
    .EXAMPLE
        Install-JCSyncAgent -ServerType DC -RootUserDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com' -ServiceAccountCredential $cred -ConnectKey $key.ConnectKey -JumpCloudApiKey $apiKey -Proxy 'http://proxy.corp:3128' -ProxyCredential (Get-Credential 'CORP\svc-proxy')

        Installs on a domain controller that reaches the internet only through the corporate
        proxy: every JumpCloud call of the agent goes through a CONNECT tunnel, the proxy password
        is kept protected in agent.json.
    .EXAMPLE
        Install-JCSyncAgent -Staging -ServerType DC -RootUserDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com' -ServiceAccountCredential $cred -ConnectKey $key.ConnectKey -JumpCloudApiKey $apiKey

        Installs a staging agent: Get-JCSyncHistory -Outcome Staged lists what it would do, and
        nothing is written until Set-JCSyncAgent -Staging:$false.
    .INPUTS
        JumpCloudADI.SyncConnectKey (its ConnectKey and Domain properties)
    .OUTPUTS
        JumpCloudADI.SyncAgentInstall
        InstallPath, Upgraded, Version, ServerType, DomainController, LdapMode, Domain, RootUserDN,
        ServiceAccount, Mode (AgentChannel or ApiKey), Staging, PasswordSync, SecretsProtection,
        ServiceManager, Running, Role, AgentId and the paths.
        With -ComputerName, one per computer (from the remote session).
    .LINK
        New-JCSyncConnectKey
    .LINK
        Get-JCSyncAgent
    .LINK
        Uninstall-JCSyncAgent
    .LINK
        Test-JCRootDN
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Local')]
    [OutputType('JumpCloudADI.SyncAgentInstall')]
    param(
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [ValidateSet('DC', 'MemberServer')]
        [string] $ServerType,

        [ValidateNotNullOrEmpty()]
        [string] $DomainController,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10,

        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ServiceAccountCredential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [System.Security.SecureString] $ConnectKey,

        [Parameter(Mandatory = $true, ParameterSetName = 'ApiKeyOnly')]
        [switch] $ApiKeyOnly,

        [System.Security.SecureString] $AnchorKey,

        [switch] $Staging,

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

        [ValidateNotNullOrEmpty()]
        [string[]] $ProxyBypass,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 60,

        [switch] $Force,

        [Parameter(Mandatory = $true, ParameterSetName = 'Remote')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(ParameterSetName = 'Remote')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $RemoteCredential = [System.Management.Automation.PSCredential]::Empty
    )

    process {
        $hasServiceAccount = $null -ne $ServiceAccountCredential -and $ServiceAccountCredential -ne [System.Management.Automation.PSCredential]::Empty

        if ($PSCmdlet.ParameterSetName -eq 'Remote') {
            InstallJCSyncAgentRemote -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
            return
        }

        $apiKeyMode = $PSCmdlet.ParameterSetName -eq 'ApiKeyOnly'
        $path = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        $files = GetJCAgentFiles -InstallPath $path
        $engineFile = FindJCEngine -Cmdlet $PSCmdlet
        # On Windows the service is the service host, shipped next to the engine and installed with it.
        $serviceHostFile = GetJCServiceHostFile -EngineFile $engineFile
        $serverTypeValue = $null
        if ($PSBoundParameters.ContainsKey('ServerType')) {
            if ($ServerType -eq 'DC') {
                $serverTypeValue = 'dc'
            }
            else {
                $serverTypeValue = 'member'
            }
        }

        if (Test-Path -LiteralPath $files.Config -PathType Leaf) {
            # An upgrade: the engine is replaced, the configuration kept.
            $engineParams = [ordered]@{
                installPath = $path
                engineFile  = $engineFile
            }
            if ($null -ne $serviceHostFile) {
                $engineParams['serviceHostFile'] = $serviceHostFile
            }
            if ($null -ne $serverTypeValue) {
                $engineParams['serverType'] = $serverTypeValue
            }
            if ($apiKeyMode) {
                # The installed mode is kept; the engine warns when it differs.
                $engineParams['mode'] = 'apiKey'
            }
            if (-not $PSCmdlet.ShouldProcess($path, 'Upgrade the JumpCloud sync agent (engine replaced, configuration kept)')) {
                return
            }
            AddJCAgentFolderParams -Parameters $engineParams -Force:$Force -Cmdlet $PSCmdlet
            # Refused changes (DC <-> member server) stop here, before the agent is stopped.
            $checkParams = [ordered]@{}
            foreach ($key in $engineParams.Keys) {
                $checkParams[$key] = $engineParams[$key]
            }
            $checkParams['whatIf'] = $true
            [void](InvokeJCEngine -Command 'agent-install' -Parameters $checkParams -Cmdlet $PSCmdlet)
            [void](InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet)
            $installed = @(InvokeJCEngine -Command 'agent-install' -Parameters $engineParams -Cmdlet $PSCmdlet)
            # Registered again: an older registration is pointed at the current service binary.
            InvokeJCAgentService -Action Register -InstallPath $path -Cmdlet $PSCmdlet
            $status = @(InvokeJCAgentService -Action Start -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds -Cmdlet $PSCmdlet)
            AddJCInstallStatus -Install $installed -Status $status
            return
        }

        $missing = New-Object -TypeName System.Collections.Generic.List[string]
        if ($null -eq $serverTypeValue) {
            $missing.Add('-ServerType')
        }
        if ([string]::IsNullOrEmpty($RootUserDN)) {
            $missing.Add('-RootUserDN')
        }
        if ([string]::IsNullOrEmpty($Domain)) {
            $missing.Add('-Domain')
        }
        if (-not $hasServiceAccount) {
            $missing.Add('-ServiceAccountCredential')
        }
        if (-not $apiKeyMode -and $null -eq $ConnectKey) {
            $missing.Add('-ConnectKey')
        }
        if ($null -eq $JumpCloudApiKey) {
            $missing.Add('-JumpCloudApiKey')
        }
        if ($missing.Count -gt 0) {
            $message = 'A new installation in {0} needs {1}. (An existing installation there would be upgraded with -InstallPath alone.)' -f $path, ($missing -join ', ')
            if ($missing.Contains('-ConnectKey')) {
                $message += ' Without the agent service (no connect key), -ApiKeyOnly installs the API-key mode, which syncs no passwords.'
            }
            $record = NewJCErrorRecord -ErrorId 'Install.ParameterMissing' -Message $message -Category InvalidArgument -TargetObject $path -ExceptionType 'System.ArgumentException'
            $PSCmdlet.ThrowTerminatingError($record)
        }

        if (-not $PSBoundParameters.ContainsKey('Port')) {
            if ($LdapMode -eq 'Ldaps') {
                $Port = 636
            }
            else {
                $Port = 389
            }
        }
        $ldap = [ordered]@{
            mode                     = $LdapMode.ToLowerInvariant()
            port                     = $Port
            timeoutMs                = $TimeoutSeconds * 1000
            allowInsecure            = [bool]$AllowInsecureLdap
            insecureRiskAcknowledged = [bool]$AcknowledgeInsecureLdapRisk
        }
        if ($PSBoundParameters.ContainsKey('CertificateAuthorityFile')) {
            $ldap['caFile'] = ResolveJCPath -Path $CertificateAuthorityFile -ParameterName 'CertificateAuthorityFile' -MustExist -Cmdlet $PSCmdlet
        }
        $jumpCloud = NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
        $engineParams = [ordered]@{
            installPath    = $path
            engineFile     = $engineFile
            serverType     = $serverTypeValue
            ldap           = $ldap
            rootUserDN     = $RootUserDN
            domain         = $Domain
            serviceAccount = [ordered]@{ bindDN = $ServiceAccountCredential.UserName; password = $ServiceAccountCredential.Password }
        }
        if ($apiKeyMode) {
            $engineParams['mode'] = 'apiKey'
            $modeText = ', API-key mode: no password sync'
        }
        else {
            $engineParams['connectKey'] = $ConnectKey
            $modeText = ''
        }
        $engineParams['jumpcloud'] = $jumpCloud
        if ($PSBoundParameters.ContainsKey('AnchorKey')) {
            $engineParams['anchorKey'] = $AnchorKey
        }
        if ($Staging) {
            $engineParams['staging'] = $true
            $modeText += ', staging: writes nothing'
        }
        if ($PSBoundParameters.ContainsKey('DomainController')) {
            $engineParams['domainController'] = $DomainController
        }
        if ($null -ne $serviceHostFile) {
            $engineParams['serviceHostFile'] = $serviceHostFile
        }
        if (-not $PSCmdlet.ShouldProcess($path, ('Install the JumpCloud sync agent for {0} ({1}{2})' -f $Domain, $ServerType, $modeText))) {
            return
        }
        AddJCAgentFolderParams -Parameters $engineParams -Force:$Force -Cmdlet $PSCmdlet

        $installed = @(InvokeJCEngine -Command 'agent-install' -Parameters $engineParams -Cmdlet $PSCmdlet)
        # The helpers raise their errors on their own behalf here (no -Cmdlet), so this cmdlet can
        # catch them, roll back, and then raise the agent's error as its own.
        try {
            InvokeJCAgentService -Action Register -InstallPath $path
            $status = @(InvokeJCAgentService -Action Start -InstallPath $path -TimeoutSeconds $StartTimeoutSeconds)
        }
        catch {
            $failure = $_
            # Roll back: the agent could not start, so nothing stays installed.
            Write-Verbose -Message ('The agent did not start ({0}); removing the installation in {1}.' -f $failure.FullyQualifiedErrorId, $path)
            try {
                [void](InvokeJCAgentService -Action Stop -InstallPath $path -TimeoutSeconds 30)
                InvokeJCAgentService -Action Unregister -InstallPath $path
                [void](InvokeJCEngine -Command 'agent-uninstall' -Parameters ([ordered]@{ installPath = $path; jumpcloud = $jumpCloud }))
            }
            catch {
                Write-Warning -Message ('The rollback of {0} was incomplete: {1}' -f $path, $_.Exception.Message)
            }
            $record = NewJCErrorRecord -ErrorId ([string]$failure.FullyQualifiedErrorId).Split(',')[0] -Message $failure.Exception.Message -Category $failure.CategoryInfo.Category -TargetObject $failure.TargetObject -ExceptionType 'System.InvalidOperationException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        AddJCInstallStatus -Install $installed -Status $status
    }
}
