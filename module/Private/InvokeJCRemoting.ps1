function InvokeJCRemoting {
    <#
    .SYNOPSIS
        The one place the module uses PowerShell remoting: Invoke-Command across the computers.
    .DESCRIPTION
        Runs the request's script block on every computer at once, at most ThrottleLimit at a
        time (Invoke-Command's own fan-out, Windows PowerShell 5.1 included), with the remoting
        credential when one is given. Output and errors stream back as they arrive; a computer
        that cannot be reached is an error of its own and the others go on. Everything the call
        sends is computed by NewJCFleetRequest (tested); this function only hands it over.
    .PARAMETER Request
        The hashtable of NewJCFleetRequest.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Request
    )

    $splatInvoke = @{
        ComputerName  = $Request.ComputerName
        ScriptBlock   = $Request.ScriptBlock
        ArgumentList  = $Request.ArgumentList
        ThrottleLimit = $Request.ThrottleLimit
        ErrorAction   = 'Continue'
    }
    if ($null -ne $Request.Credential -and $Request.Credential -ne [System.Management.Automation.PSCredential]::Empty) {
        $splatInvoke['Credential'] = $Request.Credential
    }
    Invoke-Command @splatInvoke 2>&1
}
