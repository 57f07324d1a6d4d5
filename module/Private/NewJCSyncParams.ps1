function NewJCSyncParams {
    <#
    .SYNOPSIS
        Builds the connection part of the engine's sync / sync-plan params from cmdlet parameters.
    .DESCRIPTION
        Shared by Invoke-JCSync and Get-JCSyncPlan (parameter set 'Parameters': every setting
        given on the command line). Returns an ordered dictionary with jumpcloud (NewJCJumpCloudBlock),
        dc (NewJCDcBlock), domain and rootUserDN; the cmdlet adds its own options (user,
        adoptExisting, force, thresholds, journalFile). Secrets stay SecureStrings until the bridge.
    .PARAMETER Domain
        The ADI domain: its name (DC=example;DC=com) or its JumpCloud id.
    .PARAMETER RootUserDN
        The root user container in the ADI form.
    .PARAMETER Server
        The domain controller.
    .PARAMETER Port
        TCP port of the domain controller; 0 means the default of the mode (636 or 389).
    .PARAMETER LdapMode
        Ldaps, StartTls or Ldap.
    .PARAMETER Credential
        The account that binds to the domain controller.
    .PARAMETER CertificateAuthorityFile
        CA file for the domain controller's certificate.
    .PARAMETER AllowInsecureLdap
        Sent as dc.allowInsecure.
    .PARAMETER AcknowledgeInsecureLdapRisk
        Sent as dc.insecureRiskAcknowledged.
    .PARAMETER TimeoutSeconds
        Domain controller timeout.
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key.
    .PARAMETER JumpCloudUrl
        Base URL of the JumpCloud API (instead of -Region).
    .PARAMETER Region
        US or EU.
    .PARAMETER OrgId
        JumpCloud organization id.
    .PARAMETER JumpCloudCertificateAuthorityFile
        An extra CA to trust for JumpCloud.
    .PARAMETER JumpCloudTimeoutSeconds
        JumpCloud request timeout.
    .PARAMETER Proxy
        An http:// proxy URL for JumpCloud, or Environment (NewJCJumpCloudBlock).
    .PARAMETER ProxyCredential
        User name and password for the proxy.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Domain,

        [Parameter(Mandatory = $true)]
        [string] $RootUserDN,

        [Parameter(Mandatory = $true)]
        [string] $Server,

        [int] $Port,

        [Parameter(Mandatory = $true)]
        [string] $LdapMode,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential] $Credential,

        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [Parameter(Mandatory = $true)]
        [int] $TimeoutSeconds,

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $JumpCloudApiKey,

        [string] $JumpCloudUrl,

        [string] $Region,

        [string] $OrgId,

        [string] $JumpCloudCertificateAuthorityFile,

        [Parameter(Mandatory = $true)]
        [int] $JumpCloudTimeoutSeconds,

        [string] $Proxy,

        [System.Management.Automation.PSCredential] $ProxyCredential,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    $splatJumpCloud = @{
        ApiKey                   = $JumpCloudApiKey
        Url                      = $JumpCloudUrl
        Region                   = $Region
        OrgId                    = $OrgId
        CertificateAuthorityFile = $JumpCloudCertificateAuthorityFile
        TimeoutSeconds           = $JumpCloudTimeoutSeconds
        Proxy                    = $Proxy
        ProxyCredential          = $ProxyCredential
        Cmdlet                   = $Cmdlet
    }
    $jumpCloudBlock = NewJCJumpCloudBlock @splatJumpCloud

    if ($Port -le 0) {
        if ($LdapMode -eq 'Ldaps') {
            $Port = 636
        }
        else {
            $Port = 389
        }
    }
    $splatDc = @{
        Server                   = $Server
        Port                     = $Port
        Mode                     = $LdapMode
        Credential               = $Credential
        CertificateAuthorityFile = $CertificateAuthorityFile
        TimeoutSeconds           = $TimeoutSeconds
        AllowInsecure            = $AllowInsecureLdap
        InsecureRiskAcknowledged = $AcknowledgeInsecureLdapRisk
        Cmdlet                   = $Cmdlet
    }
    $dcBlock = NewJCDcBlock @splatDc

    return [ordered]@{
        jumpcloud  = $jumpCloudBlock
        dc         = $dcBlock
        domain     = $Domain
        rootUserDN = $RootUserDN
    }
}
