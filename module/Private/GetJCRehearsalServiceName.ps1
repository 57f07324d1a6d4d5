function GetJCRehearsalServiceName {
    <#
    .SYNOPSIS
        The rehearsal's Windows service name: JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss> (UTC).
    .DESCRIPTION
        Never the production JumpCloudADISync: a rehearsal on a server that already runs the agent
        registers a second service beside it and removes only its own. The engine accepts only
        names of this form for the rehearsal's install folder ACL (agent-install serviceName).
    .PARAMETER Time
        When the rehearsal started.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [datetime] $Time
    )

    $name = $script:JCRehearsalServicePrefix + $Time.ToUniversalTime().ToString('yyyyMMdd-HHmmss', [System.Globalization.CultureInfo]::InvariantCulture)
    if ($name -eq $script:JCServiceName -or $name -cnotmatch $script:JCRehearsalServicePattern) {
        throw [System.InvalidOperationException]::new(('"{0}" is not a rehearsal service name.' -f $name))
    }
    return $name
}
