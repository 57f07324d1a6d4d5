# PowerShell on Linux has no *-Service cmdlets: Add-ServiceStandIns defines stand-ins with their
# parameters (only those missing), so that tests can mock them; Remove-ServiceStandIns removes
# exactly those again.

function Add-ServiceStandIns {
    $standIns = @{
        'New-Service'   = '[CmdletBinding()] param([string] $Name, [string] $BinaryPathName, [string] $DisplayName, [string] $Description, [string] $StartupType)'
        'Get-Service'   = '[CmdletBinding()] param([string[]] $Name)'
        'Start-Service' = '[CmdletBinding()] param([string[]] $Name)'
        'Stop-Service'  = '[CmdletBinding()] param([string[]] $Name)'
    }
    $added = @()
    foreach ($name in $standIns.Keys) {
        if ($null -eq (Get-Command -Name $name -ErrorAction SilentlyContinue)) {
            Set-Item -Path ('Function:\global:{0}' -f $name) -Value ([scriptblock]::Create($standIns[$name]))
            $added += $name
        }
    }
    , $added
}

function Remove-ServiceStandIns {
    param([string[]] $Name)
    foreach ($one in $Name) {
        Remove-Item -Path ('Function:\global:{0}' -f $one)
    }
}
