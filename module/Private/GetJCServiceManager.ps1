function GetJCServiceManager {
    <#
    .SYNOPSIS
        Which service manager runs the agent here: Windows, Systemd or Process (none).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if (TestJCIsWindows) {
        return 'Windows'
    }
    if ((Test-Path -LiteralPath '/run/systemd/system' -PathType Container) -and $null -ne (Get-Command -Name systemctl -CommandType Application -ErrorAction SilentlyContinue)) {
        return 'Systemd'
    }
    return 'Process'
}
