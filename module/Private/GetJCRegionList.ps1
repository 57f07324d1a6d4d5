function GetJCRegionList {
    <#
    .SYNOPSIS
        The JumpCloud regions -Region accepts: every region JumpCloud publishes.
    .DESCRIPTION
        US (console.jumpcloud.com), EU (console.eu.jumpcloud.com) and IN (India,
        console.in.jumpcloud.com); each has its own Directory Insights host, which the engine
        knows (engine/src/jumpcloud/connection.ts REGIONS, docs/jumpcloud-regions.md). Every
        cmdlet's [ValidateSet] on -Region lists the same values; a unit test keeps them equal.
    .OUTPUTS
        System.String[]
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param()

    return @('US', 'EU', 'IN')
}
