function NewJCRehearsalCheck {
    <#
    .SYNOPSIS
        One JumpCloudADI.RehearsalCheck row, as the engine writes them (Step is set by Invoke-JCSyncRehearsal).
    .PARAMETER Area
        The area (Windows host, Host).
    .PARAMETER Check
        What is checked.
    .PARAMETER Status
        Pass, Fail or Skipped.
    .PARAMETER Reason
        Why it failed or was skipped.
    .PARAMETER Evidence
        What was seen.
    .PARAMETER Seconds
        How long it took.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Area,

        [Parameter(Mandatory = $true)]
        [string] $Check,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Pass', 'Fail', 'Skipped')]
        [string] $Status,

        [AllowEmptyString()]
        [string] $Reason = '',

        [AllowEmptyString()]
        [string] $Evidence = '',

        $Seconds = $null
    )

    return [pscustomobject]@{
        PSTypeName = 'JumpCloudADI.RehearsalCheck'
        Step       = 0
        Area       = $Area
        Check      = $Check
        Status     = $Status
        Reason     = $Reason
        Evidence   = $Evidence
        Seconds    = $(if ($null -ne $Seconds) { [System.Math]::Round([double]$Seconds, 2) } else { $null })
    }
}
