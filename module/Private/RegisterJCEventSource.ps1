function RegisterJCEventSource {
    <#
    .SYNOPSIS
        Registers the service's Application Event Log source once, as an administrator (Windows).
    .DESCRIPTION
        The service host writes its important events under its service name. Its virtual account
        may write events but not create a source (that writes to HKLM), so the install does it.
    .PARAMETER Source
        The event source (the service name).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Source
    )

    if (-not [System.Diagnostics.EventLog]::SourceExists($Source)) {
        New-EventLog -LogName Application -Source $Source
    }
}
