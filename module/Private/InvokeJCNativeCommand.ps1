function InvokeJCNativeCommand {
    <#
    .SYNOPSIS
        Runs a service-manager program (systemctl, sc.exe) with arguments; throws on a non-zero exit.
    .PARAMETER FilePath
        The program.
    .PARAMETER ArgumentList
        Its arguments (never a secret).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, on whose behalf errors are thrown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $FilePath,

        [string[]] $ArgumentList = @(),

        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    $output = @(& $FilePath @ArgumentList 2>&1)
    if ($LASTEXITCODE -ne 0) {
        $message = '{0} {1} failed (exit code {2}): {3}' -f $FilePath, ($ArgumentList -join ' '), $LASTEXITCODE, (($output | ForEach-Object { [string]$_ }) -join ' ')
        $record = NewJCErrorRecord -ErrorId 'Agent.ServiceFailed' -Message $message -Category InvalidOperation -TargetObject $FilePath -ExceptionType 'System.InvalidOperationException'
        $Cmdlet.ThrowTerminatingError($record)
    }
}
