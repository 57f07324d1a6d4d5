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
    .PARAMETER ServiceHostPath
        The installed service host (<install folder>\jcadi-service.exe).
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ServiceHostPath
    )

    $name = $script:JCServiceName
    return [ordered]@{
        Name           = $name
        # Quoted: the default folder has spaces. The host finds the engine and the config itself.
        BinaryPathName = ('"{0}"' -f $ServiceHostPath)
        Account        = $script:JCServiceAccount
        AccountChange  = @{ StartName = $script:JCServiceAccount; StartPassword = '' }
        ScExe          = (GetJCSystemProgram -Name 'sc.exe')
        ScArguments    = @(
            , @('sidtype', $name, 'unrestricted')
            , @('failure', $name, 'reset=', '86400', 'actions=', 'restart/10000/restart/10000/restart/60000')
            , @('failureflag', $name, '1')
        )
        EventSource    = $name
    }
}
