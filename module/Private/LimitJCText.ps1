function LimitJCText {
    <#
    .SYNOPSIS
        Shortens a text for an error message (keeps the beginning, says how much was cut).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()]
        [AllowEmptyString()]
        [string] $Text,

        [int] $MaxLength = 300
    )

    if ($null -eq $Text) {
        return ''
    }
    if ($Text.Length -le $MaxLength) {
        return $Text
    }
    return ('{0}... [{1} more characters]' -f $Text.Substring(0, $MaxLength), ($Text.Length - $MaxLength))
}
