function TestJCRemoteCall {
    <#
    .SYNOPSIS
        True when an agent cmdlet was called for other computers (-ComputerName, or computer names piped in).
    .DESCRIPTION
        -ComputerName takes strings from the pipeline. Any other piped object (the output of
        Get-JCSyncAgent, which has an InstallPath) binds its InstallPath and means this machine,
        even though PowerShell also converted it into a "computer name" string.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER InputObject
        The calling cmdlet's current pipeline object ($_).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowNull()]
        [object] $InputObject
    )

    if ($Cmdlet.ParameterSetName -ne 'Remote') {
        return $false
    }
    if ($Cmdlet.MyInvocation.ExpectingInput -and $null -ne $InputObject -and $InputObject -isnot [string]) {
        # Bound by conversion from a piped object (not a name): that object means this machine.
        $names = @($Cmdlet.MyInvocation.BoundParameters['ComputerName'])
        $converted = [System.Management.Automation.LanguagePrimitives]::ConvertTo($InputObject, [string])
        if ($names.Count -eq 1 -and [string]::Equals([string]$names[0], $converted, [System.StringComparison]::Ordinal)) {
            return $false
        }
    }
    return $true
}
