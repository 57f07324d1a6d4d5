function NewJCProxyBlock {
    <#
    .SYNOPSIS
        Builds the "proxy" value of the jumpcloud block (engine/PROTOCOL.md), or $null without -Proxy.
    .DESCRIPTION
        'environment' for -Proxy Environment (no credentials or bypass list: they come from the
        environment too); otherwise an ordered dictionary { url, username, password (SecureString),
        bypass }. The URL must be http:// with no user information, path, query or fragment: the
        proxy hop is HTTP CONNECT and TLS to JumpCloud runs end to end inside the tunnel.
    .PARAMETER Proxy
        An http:// proxy URL, or Environment.
    .PARAMETER ProxyCredential
        User name and password for the proxy.
    .PARAMETER ProxyBypass
        Host patterns reached without the proxy.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary, System.String or $null
    #>
    [CmdletBinding()]
    param(
        [string] $Proxy,

        [System.Management.Automation.PSCredential] $ProxyCredential,

        [string[]] $ProxyBypass,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $hasCredential = $null -ne $ProxyCredential -and $ProxyCredential -ne [System.Management.Automation.PSCredential]::Empty
    $hasBypass = $null -ne $ProxyBypass -and $ProxyBypass.Count -gt 0
    if ([string]::IsNullOrEmpty($Proxy)) {
        if ($hasCredential -or $hasBypass) {
            $record = NewJCErrorRecord -ErrorId 'Proxy.Missing' -Message '-ProxyCredential and -ProxyBypass need -Proxy (the proxy URL).' -Category InvalidArgument -TargetObject 'Proxy' -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        return $null
    }
    if ($Proxy -eq 'Environment') {
        if ($hasCredential -or $hasBypass) {
            $message = '-Proxy Environment takes the proxy, its credentials and NO_PROXY from HTTPS_PROXY and NO_PROXY; give an explicit -Proxy URL to use -ProxyCredential or -ProxyBypass.'
            $record = NewJCErrorRecord -ErrorId 'Proxy.EnvironmentWithSettings' -Message $message -Category InvalidArgument -TargetObject 'Proxy' -ExceptionType 'System.ArgumentException'
            $Cmdlet.ThrowTerminatingError($record)
        }
        return 'environment'
    }
    $uri = $null
    $isValid = [System.Uri]::TryCreate($Proxy, [System.UriKind]::Absolute, [ref]$uri) -and
        $uri.Scheme -eq 'http' -and
        [string]::IsNullOrEmpty($uri.UserInfo) -and
        ($uri.AbsolutePath -eq '/') -and
        [string]::IsNullOrEmpty($uri.Query) -and
        [string]::IsNullOrEmpty($uri.Fragment)
    if (-not $isValid) {
        # Never repeat the value: it may hold a password typed into the URL.
        $message = '-Proxy must be an http:// URL with host and port only (for example http://proxy.corp:3128; credentials go in -ProxyCredential), or Environment.'
        $record = NewJCErrorRecord -ErrorId 'Proxy.Invalid' -Message $message -Category InvalidArgument -TargetObject 'Proxy' -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    $block = [ordered]@{ url = ('http://{0}' -f $uri.Authority) }
    if ($hasCredential) {
        $block['username'] = $ProxyCredential.UserName
        $block['password'] = $ProxyCredential.Password
    }
    if ($hasBypass) {
        $block['bypass'] = @($ProxyBypass)
    }
    return $block
}
