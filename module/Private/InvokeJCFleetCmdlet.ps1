function InvokeJCFleetCmdlet {
    <#
    .SYNOPSIS
        An agent cmdlet's -ComputerName form: asks for each computer (-WhatIf/-Confirm), then runs the cmdlet on all of them at once.
    .DESCRIPTION
        The computers the caller agrees to (ShouldProcess with the action, when one is given) get
        the cmdlet with the caller's parameters (NewJCFleetRequest), in parallel up to
        -ThrottleLimit (InvokeJCFleetCommand). Results carry ComputerName; a computer that fails
        is a non-terminating error and the others go on.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER ComputerName
        The computers (collected over the pipeline).
    .PARAMETER BoundParameters
        The calling cmdlet's $PSBoundParameters.
    .PARAMETER Action
        The ShouldProcess action (for cmdlets that change something); none for read-only cmdlets.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [string] $Action
    )

    $command = $Cmdlet.MyInvocation.MyCommand.Name
    $splatRequest = @{
        ComputerName    = $ComputerName
        Command         = $command
        BoundParameters = $BoundParameters
        Confirmable     = -not [string]::IsNullOrEmpty($Action)
    }
    if ($BoundParameters.ContainsKey('ThrottleLimit')) {
        $splatRequest['ThrottleLimit'] = $BoundParameters['ThrottleLimit']
    }
    if ($BoundParameters.ContainsKey('Credential')) {
        $splatRequest['Credential'] = $BoundParameters['Credential']
    }
    try {
        $request = NewJCFleetRequest @splatRequest
    }
    catch {
        $Cmdlet.ThrowTerminatingError($_)
    }
    if (-not [string]::IsNullOrEmpty($Action)) {
        $request.ComputerName = @($request.ComputerName | Where-Object { $Cmdlet.ShouldProcess($_, $Action) })
    }
    InvokeJCFleetCommand -Request $request -Cmdlet $Cmdlet
}
