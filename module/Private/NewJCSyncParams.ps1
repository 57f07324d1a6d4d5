function NewJCSyncParams {
    <#
    .SYNOPSIS
        Builds the engine's sync / sync-plan params from Invoke-JCSync's or Get-JCSyncPlan's parameters.
    .DESCRIPTION
        Shared by Invoke-JCSync and Get-JCSyncPlan (parameter set 'Parameters': every setting
        given on the command line), which declare the same connection and scope parameters.
        Returns an ordered dictionary: jumpcloud (NewJCJumpCloudBlock), dc (NewJCDcBlock), domain,
        rootUserDN, user (when -User is bound), adoptExisting, anchorKey (when bound), force (with -IncludeForce: the
        sync command only), maxDisableCount and maxDisablePercent (when bound). Invoke-JCSync adds
        journalFile itself. Secrets stay SecureStrings until the bridge.
    .PARAMETER BoundParameters
        The calling cmdlet's $PSBoundParameters.
    .PARAMETER IncludeForce
        Adds force (from -Force): the sync command has it, sync-plan does not.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [switch] $IncludeForce,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }

    $engineParams = [ordered]@{
        jumpcloud  = NewJCJumpCloudBlock -BoundParameters $BoundParameters -Cmdlet $Cmdlet
        dc         = NewJCDcBlock -BoundParameters $BoundParameters -Cmdlet $Cmdlet
        domain     = $BoundParameters['Domain']
        rootUserDN = $BoundParameters['RootUserDN']
    }
    if ($BoundParameters.ContainsKey('User')) {
        $engineParams['user'] = $BoundParameters['User']
    }
    $engineParams['adoptExisting'] = [bool](GetJCBoundValue -BoundParameters $BoundParameters -Name 'AdoptExisting')
    if ($BoundParameters.ContainsKey('AnchorKey')) {
        # A SecureString until the bridge (stdin only).
        $engineParams['anchorKey'] = $BoundParameters['AnchorKey']
    }
    if ($IncludeForce) {
        $engineParams['force'] = [bool](GetJCBoundValue -BoundParameters $BoundParameters -Name 'Force')
    }
    foreach ($name in 'MaxDisableCount', 'MaxDisablePercent') {
        if ($BoundParameters.ContainsKey($name)) {
            $engineParams[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = $BoundParameters[$name]
        }
    }
    return $engineParams
}
