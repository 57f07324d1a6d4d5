function NewJCJumpCloudBlock {
    <#
    .SYNOPSIS
        Builds the "jumpcloud" block of the engine protocol (engine/PROTOCOL.md) from cmdlet parameters.
    .DESCRIPTION
        The one place where a JumpCloud connection is described for the engine: every cmdlet that
        reaches JumpCloud passes its $PSBoundParameters (params.jumpcloud).
        The endpoint is either a region (one of GetJCRegionList: us, eu or in; us when neither is given) or a base URL, which
        must be an absolute https:// URL without user information, query or fragment (for example
        the sandbox's https://127.0.0.1:8443). Giving both is refused. apiKey stays a SecureString
        here: InvokeJCEngine reveals it only while it writes the request to the engine's stdin.
        caFile (an extra CA the engine trusts; verification is never switched off) is resolved to
        an absolute file-system path and must exist; it is left out when not given.
        proxy: with -Proxy an http:// URL (scheme, host and port only), the block carries
        proxy = { url; username and password from -ProxyCredential (the password stays a
        SecureString); bypass from -ProxyBypass }. -Proxy Environment sends proxy = 'environment':
        the engine then reads HTTPS_PROXY / NO_PROXY of its own process. Without -Proxy, no proxy.
    .PARAMETER BoundParameters
        The calling cmdlet's $PSBoundParameters. The block is read from -JumpCloudApiKey,
        -JumpCloudUrl, -Region, -OrgId, -JumpCloudCertificateAuthorityFile,
        -JumpCloudTimeoutSeconds, -Proxy, -ProxyCredential and -ProxyBypass, with the module's
        defaults (GetJCBoundValue) for those not given.
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

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $apiKey = GetJCBoundValue -BoundParameters $BoundParameters -Name 'JumpCloudApiKey'
    $url = GetJCBoundValue -BoundParameters $BoundParameters -Name 'JumpCloudUrl'
    $region = GetJCBoundValue -BoundParameters $BoundParameters -Name 'Region'
    $orgId = GetJCBoundValue -BoundParameters $BoundParameters -Name 'OrgId'
    $caFile = GetJCBoundValue -BoundParameters $BoundParameters -Name 'JumpCloudCertificateAuthorityFile'
    $timeoutSeconds = GetJCBoundValue -BoundParameters $BoundParameters -Name 'JumpCloudTimeoutSeconds'
    $splatProxy = @{
        Proxy           = GetJCBoundValue -BoundParameters $BoundParameters -Name 'Proxy'
        ProxyCredential = GetJCBoundValue -BoundParameters $BoundParameters -Name 'ProxyCredential'
        ProxyBypass     = GetJCBoundValue -BoundParameters $BoundParameters -Name 'ProxyBypass'
        Cmdlet          = $Cmdlet
    }

    $block = [ordered]@{}
    if (-not [string]::IsNullOrEmpty($url)) {
        if (-not [string]::IsNullOrEmpty($region)) {
            $message = 'Give either -JumpCloudUrl or -Region, not both: -JumpCloudUrl already names the JumpCloud endpoint ({0}).' -f $url
            $record = NewJCErrorRecord -ErrorId 'JumpCloudUrl.RegionConflict' -Message $message -Category InvalidArgument -TargetObject $url -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $uri = $null
        $isValid = [System.Uri]::TryCreate($url, [System.UriKind]::Absolute, [ref]$uri) -and
            $uri.Scheme -eq 'https' -and
            [string]::IsNullOrEmpty($uri.UserInfo) -and
            [string]::IsNullOrEmpty($uri.Query) -and
            [string]::IsNullOrEmpty($uri.Fragment)
        if (-not $isValid) {
            $message = '-JumpCloudUrl must be an absolute https:// URL without user name, password, query or fragment (for example https://console.jumpcloud.com); got "{0}".' -f $url
            $record = NewJCErrorRecord -ErrorId 'JumpCloudUrl.Invalid' -Message $message -Category InvalidArgument -TargetObject $url -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $block['baseUrl'] = $url
    }
    else {
        if ([string]::IsNullOrEmpty($region)) {
            $region = 'US'
        }
        $regions = GetJCRegionList
        if ($regions -notcontains $region) {
            $message = '-Region must be one of {0} (JumpCloud''s published regions); got "{1}".' -f ($regions -join ', '), $region
            $record = NewJCErrorRecord -ErrorId 'Region.Invalid' -Message $message -Category InvalidArgument -TargetObject $region -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $block['region'] = $region.ToLowerInvariant()
    }

    $block['apiKey'] = $apiKey
    if (-not [string]::IsNullOrEmpty($orgId)) {
        $block['orgId'] = $orgId
    }
    if (-not [string]::IsNullOrEmpty($caFile)) {
        $block['caFile'] = ResolveJCPath -Path $caFile -ParameterName 'JumpCloudCertificateAuthorityFile' -MustExist -Cmdlet $Cmdlet
    }
    $block['timeoutMs'] = $timeoutSeconds * 1000
    $proxyBlock = NewJCProxyBlock @splatProxy
    if ($null -ne $proxyBlock) {
        $block['proxy'] = $proxyBlock
    }

    return $block
}
