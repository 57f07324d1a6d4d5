function Get-JCSyncPlan {
    <#
    .SYNOPSIS
        Shows what Invoke-JCSync would change in Active Directory, without writing anything.
    .DESCRIPTION
        Reads JumpCloud (the users and user groups bound to the ADI domain) and AD (the objects
        under the root user container), plans the sync exactly as Invoke-JCSync does, and writes
        one JumpCloudADI.SyncPlanOperation object per planned operation to the pipeline: create,
        update (with each attribute's value before and after), rename, enable, disable, group
        create, update, unbind (kept, emptied of managed members) and bind again, member add and
        remove, and skip (with a code and the reason).
        Nothing is written to AD. An empty result means AD already matches JumpCloud.

        The default view is a table with the operation, the object, the reason and the changes
        (sn: 'Lee' -> 'Married'); Format-List shows every field, one change a line. When the plan
        would exceed the safety threshold, a warning says so (Invoke-JCSync would refuse it
        without -Force).

        The API key and the password are handed to the engine on its standard input only; they
        never appear on a command line, in an environment variable, in a log or in any output.
    .PARAMETER Domain
        The ADI domain in JumpCloud: its name in the ADI form (for example DC=example;DC=com) or
        its JumpCloud id.
    .PARAMETER RootUserDN
        The root user container in the ADI form (for example OU=Corporate Users;DC=example;DC=com).
    .PARAMETER Server
        Host name or IP address of the domain controller to read.
    .PARAMETER Credential
        The account that reads AD, normally the sync service account (jcsync@example.com).
    .PARAMETER Port
        TCP port of the domain controller. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (no encryption: refused unless -AllowInsecureLdap
        and -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap; use only in an isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key, as a SecureString.
    .PARAMETER Region
        The JumpCloud region: US (the default), EU or IN (India). Cannot be combined with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region, for example the local
        sandbox (https://127.0.0.1:8443). Must be https://. Cannot be combined with -Region.
    .PARAMETER OrgId
        The JumpCloud organization id (24 hexadecimal characters), for administrators of several
        organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud (for example the sandbox's CA).
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
    .PARAMETER User
        Plans only this JumpCloud user (username or id) and its group memberships. Accepts
        pipeline input: one plan per user.
    .PARAMETER AdoptExisting
        Plans the takeover of AD objects the sync did not create whose name matches (shown as
        updates with Adopt True) instead of reporting them as skipped.
    .PARAMETER AnchorKey
        An anchor key you keep yourself (New-JCSyncAnchorKey), as a SecureString, instead of the
        one the sync keeps in the root container (CN=jcsync-anchor-key, readable only by the sync's
        account and the administrators; made by the first Invoke-JCSync). Either way an anchor
        counts only when its proof (a keyed MAC of the object's objectGUID and JumpCloud id) is
        valid: an anchor without one is reported (UntrustedAnchor) and the object is left alone;
        every anchor written gets a proof. With -AdoptExisting, objects whose anchor has no valid
        proof are adopted by name: how an install from before the key is sealed. The key goes
        to the engine on its standard input only.
    .PARAMETER MaxDisableCount
        The safety threshold to check the plan against (users disabled or groups unbound).
        Default: 500.
    .PARAMETER MaxDisablePercent
        The safety threshold as a share of the managed objects. Default: 25.
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        $cred = Get-Credential 'jcsync@example.com'
        Get-JCSyncPlan -Domain 'DC=example;DC=com' -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Server dc1.example.com -Credential $cred -JumpCloudApiKey $apiKey

        Lists every change the next sync would make, as a table.
    .EXAMPLE
        $plan = Get-JCSyncPlan @splatSync
        $plan | Group-Object Operation -NoElement
        $plan | Where-Object Operation -eq 'skip' | Format-List Target, Code, Reason

        Counts the planned operations by kind, then shows why objects would be skipped.
    .EXAMPLE
        Get-JCSyncPlan @splatSync -User 'ann.lee' | Format-List

        Shows in detail what provisioning one user would do, one attribute change a line.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.SyncPlanOperation
        Operation, Target, Reason, DN, NewDN, Group, JumpCloudId, Code, Enabled, Adopt and
        Changes (Attribute, Before, After), one object per planned operation.
    .LINK
        Invoke-JCSync
    #>
    [CmdletBinding(DefaultParameterSetName = 'Parameters')]
    [OutputType('JumpCloudADI.SyncPlanOperation')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 65535)]
        [int] $Port,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Parameters')]
        [switch] $AllowInsecureLdap,

        [Parameter(ParameterSetName = 'Parameters')]
        [switch] $AcknowledgeInsecureLdapRisk,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10,

        [Parameter(Mandatory = $true, ParameterSetName = 'Parameters')]
        [System.Security.SecureString] $JumpCloudApiKey,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateSet('US', 'EU', 'IN')]
        [string] $Region,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudUrl,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidatePattern('^[0-9a-fA-F]{24}$')]
        [string] $OrgId,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudCertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds = 30,

        [Parameter(ParameterSetName = 'Parameters')]
        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [Parameter(ParameterSetName = 'Parameters')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Username')]
        [ValidateNotNullOrEmpty()]
        [string] $User,

        [switch] $AdoptExisting,

        [System.Security.SecureString] $AnchorKey,

        [ValidateRange(0, 2147483647)]
        [int] $MaxDisableCount,

        [ValidateRange(0.0, 100.0)]
        [double] $MaxDisablePercent
    )

    process {
        # Parameter set 'Parameters' is the only one today; an installed agent's configuration
        # can become a second set that yields the same dictionary.
        $engineParams = NewJCSyncParams -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
        InvokeJCEngine -Command 'sync-plan' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
