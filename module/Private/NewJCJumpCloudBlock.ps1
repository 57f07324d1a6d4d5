function NewJCJumpCloudBlock {
    <#
    .SYNOPSIS
        Builds the "jumpcloud" block of the engine protocol (engine/PROTOCOL.md) from cmdlet parameters.
    .DESCRIPTION
        The one place where a JumpCloud connection is described for the engine; used by
        Invoke-JCSync and Get-JCSyncPlan (params.jumpcloud).
        The endpoint is either a region (us or eu; us when neither is given) or a base URL, which
        must be an absolute https:// URL without user information, query or fragment (for example
        the sandbox's https://127.0.0.1:8443). Giving both is refused. apiKey stays a SecureString
        here: InvokeJCEngine reveals it only while it writes the request to the engine's stdin.
        caFile (an extra CA the engine trusts; verification is never switched off) is resolved to
        an absolute file-system path and must exist; it is left out when not given.
        proxy: with -Proxy an http:// URL (scheme, host and port only), the block carries
        proxy = { url; username and password from -ProxyCredential (the password stays a
        SecureString); bypass from -ProxyBypass }. -Proxy Environment sends proxy = 'environment':
        the engine then reads HTTPS_PROXY / NO_PROXY of its own process. Without -Proxy, no proxy.
    .PARAMETER ApiKey
        The JumpCloud API key.
    .PARAMETER Url
        Base URL of the JumpCloud API (the cmdlets' -JumpCloudUrl).
    .PARAMETER Region
        US or EU (case-insensitive; sent in lower case). Empty means US.
    .PARAMETER OrgId
        The organization id, for administrators of several organizations.
    .PARAMETER CertificateAuthorityFile
        PEM file of an extra CA to trust (the cmdlets' -JumpCloudCertificateAuthorityFile).
    .PARAMETER TimeoutSeconds
        Timeout of each JumpCloud request, sent as timeoutMs.
    .PARAMETER Proxy
        An http:// proxy URL (the cmdlets' -Proxy), or Environment.
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic); needs an explicit -Proxy URL.
    .PARAMETER ProxyBypass
        Host patterns reached without the proxy (name, *.suffix, .suffix, *).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $ApiKey,

        [string] $Url,

        [string] $Region,

        [string] $OrgId,

        [string] $CertificateAuthorityFile,

        [Parameter(Mandatory = $true)]
        [int] $TimeoutSeconds,

        [string] $Proxy,

        [System.Management.Automation.PSCredential] $ProxyCredential,

        [string[]] $ProxyBypass,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    $block = [ordered]@{}
    if (-not [string]::IsNullOrEmpty($Url)) {
        if (-not [string]::IsNullOrEmpty($Region)) {
            $message = 'Give either -JumpCloudUrl or -Region, not both: -JumpCloudUrl already names the JumpCloud endpoint ({0}).' -f $Url
            $record = NewJCErrorRecord -ErrorId 'JumpCloudUrl.RegionConflict' -Message $message -Category InvalidArgument -TargetObject $Url -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $uri = $null
        $isValid = [System.Uri]::TryCreate($Url, [System.UriKind]::Absolute, [ref]$uri) -and
            $uri.Scheme -eq 'https' -and
            [string]::IsNullOrEmpty($uri.UserInfo) -and
            [string]::IsNullOrEmpty($uri.Query) -and
            [string]::IsNullOrEmpty($uri.Fragment)
        if (-not $isValid) {
            $message = '-JumpCloudUrl must be an absolute https:// URL without user name, password, query or fragment (for example https://console.jumpcloud.com); got "{0}".' -f $Url
            $record = NewJCErrorRecord -ErrorId 'JumpCloudUrl.Invalid' -Message $message -Category InvalidArgument -TargetObject $Url -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $block['baseUrl'] = $Url
    }
    else {
        if ([string]::IsNullOrEmpty($Region)) {
            $Region = 'US'
        }
        if (@('US', 'EU') -notcontains $Region) {
            $message = '-Region must be US or EU; got "{0}".' -f $Region
            $record = NewJCErrorRecord -ErrorId 'Region.Invalid' -Message $message -Category InvalidArgument -TargetObject $Region -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        $block['region'] = $Region.ToLowerInvariant()
    }

    $block['apiKey'] = $ApiKey
    if (-not [string]::IsNullOrEmpty($OrgId)) {
        $block['orgId'] = $OrgId
    }
    if (-not [string]::IsNullOrEmpty($CertificateAuthorityFile)) {
        $block['caFile'] = ResolveJCPath -Path $CertificateAuthorityFile -ParameterName 'JumpCloudCertificateAuthorityFile' -MustExist -Cmdlet $Cmdlet
    }
    $block['timeoutMs'] = $TimeoutSeconds * 1000
    $proxyBlock = NewJCProxyBlock -Proxy $Proxy -ProxyCredential $ProxyCredential -ProxyBypass $ProxyBypass -Cmdlet $Cmdlet
    if ($null -ne $proxyBlock) {
        $block['proxy'] = $proxyBlock
    }

    return $block
}
