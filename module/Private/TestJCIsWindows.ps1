function TestJCIsWindows {
    <#
    .SYNOPSIS
        True when running on Windows (Windows PowerShell 5.1 has no $IsWindows: it is always Windows).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()

    return ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT)
}
