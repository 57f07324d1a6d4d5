function GetJCServiceRegistration {
    <#
    .SYNOPSIS
        What registering the Windows service sets, as data: binary, account, sc.exe arguments.
    .DESCRIPTION
        The service runs the service host as the virtual account NT SERVICE\JumpCloudADISync (no
        password; the Service Control Manager grants it "log on as a service" and a service SID
        that the install folder's ACL names), not as LocalSystem: a bug in parsing JumpCloud data
        cannot act as the domain controller's computer account. The account is set through CIM
        (Win32_Service.Change with StartName and an empty StartPassword), also on an existing
        LocalSystem registration (an upgrade). sc.exe, by its full path, sets the service SID
        type and the restart failure actions (failureflag 1: a stop with a non-zero exit code
        counts as a failure). InvokeJCAgentService runs these; tests check them as data.

        -ServiceName gives the rehearsal's service (Invoke-JCSyncRehearsal) its own name
        JumpCloudADISync-Rehearsal-<time> with the same registration: its own virtual account
        NT SERVICE\<name> (which the rehearsal's install folder ACL names), the same failure
        actions, started by hand only (Manual: a left-over never starts at boot). The Event Log
        source stays JumpCloudADISync: it is the source the service host writes under, whatever
        the service is called.
    .PARAMETER ServiceHostPath
        The installed service host (<install folder>\jcadi-service.exe).
    .PARAMETER ServiceName
        The service's name: the production JumpCloudADISync (the default) or a rehearsal's
        JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss>. Any other name is refused.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ServiceHostPath,

        [ValidateNotNullOrEmpty()]
        [string] $ServiceName = $script:JCServiceName
    )

    $name = $ServiceName
    $rehearsal = $name -cmatch $script:JCRehearsalServicePattern
    if ($name -cne $script:JCServiceName -and -not $rehearsal) {
        throw [System.ArgumentException]::new(('The service name "{0}" is neither {1} nor a rehearsal service name (JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss>).' -f $name, $script:JCServiceName))
    }
    $account = 'NT SERVICE\' + $name
    $displayName = $script:JCServiceDisplayName
    $startupType = 'Automatic'
    if ($rehearsal) {
        $displayName = '{0} (rehearsal {1})' -f $script:JCServiceDisplayName, $name.Substring($script:JCRehearsalServicePrefix.Length)
        $startupType = 'Manual'
    }
    return [ordered]@{
        Name           = $name
        DisplayName    = $displayName
        StartupType    = $startupType
        # Quoted: the default folder has spaces. The host finds the engine and the config itself.
        BinaryPathName = ('"{0}"' -f $ServiceHostPath)
        Account        = $account
        AccountChange  = @{ StartName = $account; StartPassword = '' }
        ScExe          = (GetJCSystemProgram -Name 'sc.exe')
        ScArguments    = @(
            , @('sidtype', $name, 'unrestricted')
            , @('failure', $name, 'reset=', '86400', 'actions=', 'restart/10000/restart/10000/restart/60000')
            , @('failureflag', $name, '1')
        )
        # The source the service host writes under (engine/service-host: AgentService.Name).
        EventSource    = $script:JCServiceName
    }
}
