function UseJCLocalComputer {
    <#
    .SYNOPSIS
        Makes computer names stand for agents installed in folders of this machine (the local computer adapter).
    .DESCRIPTION
        With a map (computer name -> install folder), every -ComputerName call of the module runs
        through InvokeJCLocalComputer instead of remoting: several agents of one machine act as
        several servers (tests, rehearsals of a fleet operation). Without -Map (or with $null),
        real remoting again.
    .PARAMETER Map
        Computer name -> install folder (absolute).
    #>
    [CmdletBinding()]
    param(
        [System.Collections.IDictionary] $Map
    )

    if ($null -eq $Map) {
        $script:JCLocalComputers = $null
        return
    }
    $copy = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($key in @($Map.Keys)) {
        $copy[[string]$key] = [string]$Map[$key]
    }
    $script:JCLocalComputers = $copy
}
