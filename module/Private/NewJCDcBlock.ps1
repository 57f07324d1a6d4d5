function NewJCDcBlock {
    <#
    .SYNOPSIS
        Builds the "dc" block of the engine protocol (engine/PROTOCOL.md) from a cmdlet's parameters.
    .DESCRIPTION
        The one place where a domain controller connection is described for the engine. Every
        cmdlet that reaches a DC passes its $PSBoundParameters; the block is read from the
        parameters -Server, -Port, -LdapMode, -Credential, -CertificateAuthorityFile,
        -TimeoutSeconds, -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk, with the module's
        defaults (GetJCBoundValue) for those not given.
        port is sent only when -Port was given: the engine applies the mode's default (636 for
        ldaps, 389 otherwise). bindDN is the credential's UserName exactly as given (for example
        Administrator@example.com or EXAMPLE\jcsync). bindPassword stays a SecureString here:
        InvokeJCEngine reveals it only while it writes the request to the engine's stdin. caFile
        is resolved to an absolute file-system path and must exist; it is left out when not given
        (the engine then uses the system's trusted roots).
    .PARAMETER BoundParameters
        The calling cmdlet's $PSBoundParameters.
    .PARAMETER Mode
        A fixed mode (ldaps, starttls or ldap) for a cmdlet without -LdapMode (Test-JCRootDN).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [ValidateSet('ldaps', 'starttls', 'ldap')]
        [string] $Mode,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    if ([string]::IsNullOrEmpty($Mode)) {
        $Mode = GetJCBoundValue -BoundParameters $BoundParameters -Name 'LdapMode'
    }
    $credential = GetJCBoundValue -BoundParameters $BoundParameters -Name 'Credential'

    $dc = [ordered]@{
        host = GetJCBoundValue -BoundParameters $BoundParameters -Name 'Server'
    }
    if ($BoundParameters.ContainsKey('Port')) {
        $dc['port'] = $BoundParameters['Port']
    }
    $dc['mode'] = $Mode.ToLowerInvariant()
    $caFile = GetJCBoundValue -BoundParameters $BoundParameters -Name 'CertificateAuthorityFile'
    if (-not [string]::IsNullOrEmpty($caFile)) {
        $dc['caFile'] = ResolveJCPath -Path $caFile -ParameterName 'CertificateAuthorityFile' -MustExist -Cmdlet $Cmdlet
    }
    $dc['bindDN'] = $credential.UserName
    $dc['bindPassword'] = $credential.Password
    $dc['timeoutMs'] = (GetJCBoundValue -BoundParameters $BoundParameters -Name 'TimeoutSeconds') * 1000
    $dc['allowInsecure'] = [bool](GetJCBoundValue -BoundParameters $BoundParameters -Name 'AllowInsecureLdap')
    $dc['insecureRiskAcknowledged'] = [bool](GetJCBoundValue -BoundParameters $BoundParameters -Name 'AcknowledgeInsecureLdapRisk')
    return $dc
}
