function SetJCServiceBinaryPath {
    <#
    .SYNOPSIS
        Points an existing Windows service at a new binary (an upgrade from an older registration).
    .DESCRIPTION
        Through CIM (Win32_Service.Change), because Set-Service -BinaryPathName does not exist in
        Windows PowerShell 5.1 and sc.exe would need quotes inside an argument. Nothing is done when
        the service already runs that binary.
    .PARAMETER Name
        The service name.
    .PARAMETER BinaryPathName
        The quoted command line of the service.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter(Mandatory = $true)]
        [string] $BinaryPathName,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $service = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $Name) -ErrorAction Stop
    if ($null -eq $service -or $service.PathName -eq $BinaryPathName) {
        return
    }
    $answer = Invoke-CimMethod -InputObject $service -MethodName Change -Arguments @{ PathName = $BinaryPathName } -ErrorAction Stop
    if ($answer.ReturnValue -ne 0) {
        $message = 'Cannot point the service {0} at {1}: Win32_Service.Change returned {2}.' -f $Name, $BinaryPathName, $answer.ReturnValue
        $record = NewJCErrorRecord -ErrorId 'Agent.ServiceFailed' -Message $message -Category InvalidOperation -TargetObject $Name -ExceptionType 'System.InvalidOperationException'
        $Cmdlet.ThrowTerminatingError($record)
    }
}
