function GetJCEngineDescription {
    <#
    .SYNOPSIS
        The engine's own description (engine command describe): its exit codes and the file names of an agent install folder.
    .DESCRIPTION
        The module reads these facts from the engine instead of keeping copies: the meaning and
        ErrorCategory of an exit code that came without an error line (InvokeJCEngine) and the
        names of the engine, service host and config in an install folder (GetJCAgentFiles,
        GetJCServiceHostFile). Asked once per engine path and session: the answer is kept in
        $script:JCEngineDescriptions.
        Returns an object with ExitCodes (Name, Code, Meaning, Category) and InstallFiles
        (Engine, ServiceHost, Config, KeyFile, State, Journal, Pid, Log), see engine/PROTOCOL.md.
    .PARAMETER Cmdlet
        The cmdlet on whose behalf an error is thrown (its $PSCmdlet). Defaults to this function.
    #>
    [CmdletBinding()]
    param(
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $enginePath = FindJCEngine -Cmdlet $Cmdlet
    if ($script:JCEngineDescriptions.ContainsKey($enginePath)) {
        return $script:JCEngineDescriptions[$enginePath]
    }
    $description = @(InvokeJCEngine -Command 'describe' -Cmdlet $Cmdlet) | Select-Object -First 1
    if ($null -eq $description -or $null -eq (GetJCField -InputObject $description -Name 'ExitCodes') -or $null -eq (GetJCField -InputObject $description -Name 'InstallFiles')) {
        $message = 'The engine "{0}" answered describe without its exit codes and install files: it is older or newer than this module.' -f $enginePath
        $record = NewJCErrorRecord -ErrorId 'Engine.ProtocolError' -Message $message -Category ProtocolError -TargetObject 'describe' -ExceptionType 'System.IO.InvalidDataException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    $script:JCEngineDescriptions[$enginePath] = $description
    return $description
}
