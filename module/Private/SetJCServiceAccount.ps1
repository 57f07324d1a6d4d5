function SetJCServiceAccount {
    <#
    .SYNOPSIS
        Makes the Windows service run as its virtual account (a LocalSystem registration is moved over).
    .DESCRIPTION
        Through CIM: Win32_Service.Change with the StartName and (empty) StartPassword computed by
        GetJCServiceRegistration. Nothing is done when the service already runs as that account.
    .PARAMETER Name
        The service name.
    .PARAMETER Change
        The Change arguments (StartName, StartPassword).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter(Mandatory = $true)]
        [hashtable] $Change,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $service = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $Name) -ErrorAction Stop
    if ($null -eq $service -or $service.StartName -eq $Change.StartName) {
        return
    }
    $answer = Invoke-CimMethod -InputObject $service -MethodName Change -Arguments $Change -ErrorAction Stop
    if ($answer.ReturnValue -ne 0) {
        $message = 'Cannot make the service {0} run as {1} (it runs as {2}): Win32_Service.Change returned {3}.' -f $Name, $Change.StartName, $service.StartName, $answer.ReturnValue
        $record = NewJCErrorRecord -ErrorId 'Agent.ServiceFailed' -Message $message -Category InvalidOperation -TargetObject $Name -ExceptionType 'System.InvalidOperationException'
        $Cmdlet.ThrowTerminatingError($record)
    }
}
