function ConvertToJCVersion {
    <#
    .SYNOPSIS
        A version text (0.1.0, 1.2.3-beta.1) as a [version] without its pre-release part, or $null.
    .PARAMETER Version
        The version text.
    #>
    [CmdletBinding()]
    [OutputType([version])]
    param(
        [AllowNull()]
        [AllowEmptyString()]
        [string] $Version
    )

    if ([string]::IsNullOrWhiteSpace($Version)) {
        return $null
    }
    $core = $Version.Trim().Split('-+'.ToCharArray())[0]
    $parsed = $null
    if ([version]::TryParse($core, [ref]$parsed)) {
        return $parsed
    }
    return $null
}
