function ConvertFromJCRemoteError {
    <#
    .SYNOPSIS
        Turns an error that came back from a computer into the module's error for that computer.
    .DESCRIPTION
        The computer comes from the record's OriginInfo (remoting puts it there), else from its
        target (a computer name), else from a leading "[name]". A computer that could not be
        reached (PSRemotingTransportException) is Remote.Unreachable; a module that could not be
        loaded there is Remote.ModuleMissing; any other error keeps its id (Agent.NotInstalled,
        AD.BindFailed, ...). The message starts with the computer's name, the target is the
        computer's name.
    .PARAMETER ErrorRecord
        The error as it came back.
    .PARAMETER ComputerName
        The computers of the call (to recognise a target that names one).
    .OUTPUTS
        System.Management.Automation.ErrorRecord, with a note property ComputerName.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.ErrorRecord] $ErrorRecord,

        [string[]] $ComputerName = @()
    )

    $computer = $null
    $remoteRecord = $ErrorRecord -as [System.Management.Automation.Runspaces.RemotingErrorRecord]
    if ($null -ne $remoteRecord -and $null -ne $remoteRecord.OriginInfo -and -not [string]::IsNullOrEmpty($remoteRecord.OriginInfo.PSComputerName)) {
        $computer = $remoteRecord.OriginInfo.PSComputerName
    }
    elseif ($ErrorRecord.TargetObject -is [string] -and $ComputerName -contains $ErrorRecord.TargetObject) {
        $computer = $ErrorRecord.TargetObject
    }
    elseif ($ErrorRecord.Exception.Message -match '^\[([^\]]+)\]') {
        $computer = $Matches[1]
    }
    if ($null -ne $computer) {
        # The spelling the caller used.
        foreach ($name in $ComputerName) {
            if ([string]::Equals($name, $computer, [System.StringComparison]::OrdinalIgnoreCase)) {
                $computer = $name
                break
            }
        }
    }
    else {
        $computer = '(unknown computer)'
    }

    $text = $ErrorRecord.Exception.Message
    if ($text -match '^\[[^\]]+\]\s*') {
        $text = $text.Substring($Matches[0].Length)
    }
    $fullId = [string]$ErrorRecord.FullyQualifiedErrorId
    $id = $fullId.Split(',')[0]
    $category = $ErrorRecord.CategoryInfo.Category
    $exceptionType = 'System.InvalidOperationException'
    if ($ErrorRecord.Exception -is [System.Management.Automation.Remoting.PSRemotingTransportException]) {
        $id = 'Remote.Unreachable'
        $category = [System.Management.Automation.ErrorCategory]::ConnectionError
        $text = 'Cannot reach {0} over PowerShell remoting: {1}' -f $computer, $text
    }
    elseif ($ErrorRecord.CategoryInfo.Activity -eq 'Import-Module' -or $fullId -like 'Modules_ModuleNotFound*') {
        $id = 'Remote.ModuleMissing'
        $text = 'The JumpCloudADI module cannot be loaded on {0}: {1}' -f $computer, $text
    }
    elseif ($id -notmatch '^[A-Za-z]+\.[A-Za-z]+$') {
        $id = 'Remote.CommandFailed'
    }
    $message = '{0}: {1}' -f $computer, $text
    $record = NewJCErrorRecord -ErrorId $id -Message $message -Category $category -TargetObject $computer -ExceptionType $exceptionType
    Add-Member -InputObject $record -MemberType NoteProperty -Name ComputerName -Value $computer -Force
    return $record
}
