function InitializeJCAgentUser {
    <#
    .SYNOPSIS
        Linux, as root: the agent's dedicated system user (jcadi), created when missing; its name.
    .DESCRIPTION
        The agent does not run as root: its folder, config and key file belong to this user
        (the engine gives them to it at install), and the systemd unit, or the plain background
        process on a host without systemd, runs as it. The user has no home, no shell and no
        password (useradd --system, by full path). Returns $null on Windows (the virtual service
        account needs no creating) and when not run as root (the agent then runs as the caller).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    if ((TestJCIsWindows) -or [System.Environment]::UserName -ne 'root') {
        return $null
    }
    $user = $script:JCAgentUser
    $known = @(Get-Content -LiteralPath '/etc/passwd' -ErrorAction SilentlyContinue | Where-Object { $_.StartsWith($user + ':') })
    if ($known.Count -eq 0) {
        InvokeJCNativeCommand -FilePath (GetJCSystemProgram -Name 'useradd') -ArgumentList (GetJCAgentUserArguments -Name $user) -Cmdlet $Cmdlet
    }
    return $user
}
