function NewJCDcBlock {
    <#
    .SYNOPSIS
        Builds the "dc" block of the engine protocol (engine/PROTOCOL.md) from cmdlet parameters.
    .DESCRIPTION
        The one place where a domain controller connection is described for the engine; used by
        Test-JCDomainController (params.dc) and Test-JCRootDN -Server (params.server).
        bindDN is the credential's UserName exactly as given (for example Administrator@example.com
        or EXAMPLE\jcsync). bindPassword stays a SecureString here: InvokeJCEngine reveals it only
        while it writes the request to the engine's stdin. caFile is resolved to an absolute
        file-system path and must exist; it is left out when not given (the engine then uses the
        system's trusted roots).
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Port
        TCP port.
    .PARAMETER Mode
        ldaps, starttls or ldap (case-insensitive; sent in lower case).
    .PARAMETER Credential
        Account used to bind.
    .PARAMETER CertificateAuthorityFile
        PEM file of the CA that signed the DC's certificate (any PowerShell path).
    .PARAMETER TimeoutSeconds
        Connect and operation timeout, sent as timeoutMs.
    .PARAMETER AllowInsecure
        Sent as allowInsecure.
    .PARAMETER InsecureRiskAcknowledged
        Sent as insecureRiskAcknowledged.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Server,

        [Parameter(Mandatory = $true)]
        [int] $Port,

        [Parameter(Mandatory = $true)]
        [ValidateSet('ldaps', 'starttls', 'ldap')]
        [string] $Mode,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential] $Credential,

        [string] $CertificateAuthorityFile,

        [Parameter(Mandatory = $true)]
        [int] $TimeoutSeconds,

        [switch] $AllowInsecure,

        [switch] $InsecureRiskAcknowledged,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    $dc = [ordered]@{
        host                     = $Server
        port                     = $Port
        mode                     = $Mode.ToLowerInvariant()
        bindDN                   = $Credential.UserName
        bindPassword             = $Credential.Password
        timeoutMs                = $TimeoutSeconds * 1000
        allowInsecure            = [bool]$AllowInsecure
        insecureRiskAcknowledged = [bool]$InsecureRiskAcknowledged
    }

    if (-not [string]::IsNullOrEmpty($CertificateAuthorityFile)) {
        $caPath = ResolveJCPath -Path $CertificateAuthorityFile -ParameterName 'CertificateAuthorityFile' -MustExist -Cmdlet $Cmdlet
        $dc.Insert(3, 'caFile', $caPath)
    }

    return $dc
}
