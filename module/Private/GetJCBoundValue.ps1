function GetJCBoundValue {
    <#
    .SYNOPSIS
        The value of one cmdlet parameter: as bound, else the module's one default for that name.
    .DESCRIPTION
        The block builders (NewJCDcBlock, NewJCJumpCloudBlock, NewJCSyncParams) read a cmdlet's
        $PSBoundParameters through this function, the way PSFramework's
        ConvertTo-PSFHashtable -Include picks parameters by name. A parameter the caller did not
        give takes its default from $script:JCParameterDefaults (JumpCloudADI.psm1), the same
        value every cmdlet declares in its param block (tests/pester/Unit/Module.Tests.ps1 checks
        that they agree); without a default it is $null.
    .PARAMETER BoundParameters
        The cmdlet's $PSBoundParameters (or a hashtable keyed by parameter name).
    .PARAMETER Name
        The cmdlet parameter's name.
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [string] $Name
    )

    if ($BoundParameters.ContainsKey($Name)) {
        return $BoundParameters[$Name]
    }
    if ($script:JCParameterDefaults.ContainsKey($Name)) {
        return $script:JCParameterDefaults[$Name]
    }
    return $null
}
