function InvokeJCFleetCommand {
    <#
    .SYNOPSIS
        Runs one agent cmdlet on several computers at once and returns what each gave, with its ComputerName.
    .DESCRIPTION
        Hands the request (NewJCFleetRequest) to the computer adapter: PowerShell remoting
        (InvokeJCRemoting), or the local computer adapter (InvokeJCLocalComputer) when
        UseJCLocalComputer mapped computer names to folders of this machine. Objects come back
        with their module type name and ComputerName (ConvertFromJCRemoteOutput); errors become
        the module's errors for that computer (ConvertFromJCRemoteError: Remote.Unreachable,
        Agent.NotInstalled, ...) and are written as non-terminating errors of the calling cmdlet,
        so one computer that fails does not stop the others. With -PassErrors they are returned
        instead (with the objects, in the order they came).
    .PARAMETER Request
        The hashtable of NewJCFleetRequest.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet (errors on its behalf).
    .PARAMETER PassErrors
        Return the error records instead of writing them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Request,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [switch] $PassErrors
    )

    if (@($Request.ComputerName).Count -eq 0) {
        return
    }
    if ($null -ne $script:JCLocalComputers) {
        $items = InvokeJCLocalComputer -Request $Request
    }
    else {
        $items = InvokeJCRemoting -Request $Request
    }
    foreach ($item in @($items)) {
        if ($null -eq $item) {
            continue
        }
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            $record = ConvertFromJCRemoteError -ErrorRecord $item -ComputerName $Request.ComputerName
            if ($PassErrors) {
                $record
            }
            else {
                $Cmdlet.WriteError($record)
            }
            continue
        }
        ConvertFromJCRemoteOutput -InputObject $item -ComputerName $Request.ComputerName
    }
}
