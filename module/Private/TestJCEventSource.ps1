function TestJCEventSource {
    <#
    .SYNOPSIS
        Windows thin layer: whether an Event Log source is registered.
    .PARAMETER Source
        The source.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Source
    )

    return [System.Diagnostics.EventLog]::SourceExists($Source)
}
