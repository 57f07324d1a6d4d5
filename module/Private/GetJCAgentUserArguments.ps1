function GetJCAgentUserArguments {
    <#
    .SYNOPSIS
        useradd's arguments for the agent's system user: no home, no login shell, its own group.
    .PARAMETER Name
        The user name.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name
    )

    return @('--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', '--comment', 'JumpCloud AD Integration sync agent', $Name)
}
