function AddJCAgentFolderParams {
    <#
    .SYNOPSIS
        Adds to an agent-install request who the install folder is for and whether to reset it.
    .DESCRIPTION
        force: an existing install folder (or %ProgramData%\JumpCloudADI) that grants more than
        SYSTEM, Administrators and the service's account, or belongs to someone else, is reset
        instead of refused (Install-JCSyncAgent -Force). serviceUser (Linux, as root): the agent's
        dedicated system user, created here when missing; the engine gives it the folder and the
        secrets, and the agent runs as it.
    .PARAMETER Parameters
        The agent-install parameters (changed in place).
    .PARAMETER Force
        Reset an unsafe existing folder.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $Parameters,

        [switch] $Force,

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $Parameters['force'] = [bool]$Force
    $user = InitializeJCAgentUser -Cmdlet $Cmdlet
    if ($null -ne $user) {
        $Parameters['serviceUser'] = $user
    }
}
