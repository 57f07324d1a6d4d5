function InvokeJCLocalComputer {
    <#
    .SYNOPSIS
        Runs a fleet request against agents installed in folders of this machine, as remoting would.
    .DESCRIPTION
        The stand-in for InvokeJCRemoting when several agents of this machine play the servers
        (tests, rehearsals): each computer name maps to an install folder. The same script block
        runs for each computer in a runspace of its own (a runspace pool of ThrottleLimit
        runspaces: the computers run in parallel, at most that many at once), loading the module
        from its manifest (or the request's module path) with -InstallPath set to the computer's
        folder when the request does not name one. What comes back has the shape remoting gives:
        output objects serialized and deserialized (Deserialized.* type names, PSComputerName),
        errors as remoting error records with the computer in their OriginInfo. A name that maps
        to no folder is what an unreachable server is: a PSRemotingTransportException for that
        computer alone.
    .PARAMETER Request
        The hashtable of NewJCFleetRequest.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [hashtable] $Request
    )

    $command = $Request.ArgumentList[0]
    $parameters = $Request.ArgumentList[1]
    $modulePath = $Request.ArgumentList[2]
    if ([string]::IsNullOrEmpty($modulePath)) {
        $modulePath = Join-Path -Path $script:JCModuleRoot -ChildPath 'JumpCloudADI.psd1'
    }
    $scriptText = $Request.ScriptBlock.ToString()

    $pool = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspacePool(1, $Request.ThrottleLimit)
    $pool.Open()
    $running = New-Object -TypeName System.Collections.Generic.List[object]
    try {
        foreach ($computer in $Request.ComputerName) {
            $folder = $null
            if ($null -ne $script:JCLocalComputers -and $script:JCLocalComputers.ContainsKey($computer)) {
                $folder = $script:JCLocalComputers[$computer]
            }
            if ($null -eq $folder) {
                $running.Add([pscustomobject]@{ Computer = $computer; Shell = $null; Handle = $null })
                continue
            }
            $computerParameters = @{}
            foreach ($key in @($parameters.Keys)) {
                $computerParameters[$key] = $parameters[$key]
            }
            if (-not $computerParameters.Contains('InstallPath') -and $command -ne 'Get-JCSyncEngine') {
                $computerParameters['InstallPath'] = $folder
            }
            $shell = [System.Management.Automation.PowerShell]::Create()
            $shell.RunspacePool = $pool
            [void]$shell.AddScript($scriptText).AddArgument($command).AddArgument($computerParameters).AddArgument($modulePath)
            $running.Add([pscustomobject]@{ Computer = $computer; Shell = $shell; Handle = $shell.BeginInvoke() })
        }

        foreach ($item in $running) {
            $origin = New-Object -TypeName System.Management.Automation.Remoting.OriginInfo -ArgumentList $item.Computer, ([guid]::NewGuid())
            if ($null -eq $item.Shell) {
                $message = 'Connecting to remote server {0} failed: no agent of this machine stands for that computer.' -f $item.Computer
                $exception = New-Object -TypeName System.Management.Automation.Remoting.PSRemotingTransportException -ArgumentList $message
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'CannotConnect,PSSessionStateBroken', ([System.Management.Automation.ErrorCategory]::OpenError), $item.Computer
                New-Object -TypeName System.Management.Automation.Runspaces.RemotingErrorRecord -ArgumentList $record, $origin
                continue
            }
            $output = $null
            $failure = $null
            try {
                $output = $item.Shell.EndInvoke($item.Handle)
            }
            catch {
                $failure = $_
            }
            foreach ($object in @($output)) {
                if ($null -eq $object) {
                    continue
                }
                # What remoting does to an object: serialized on the server, deserialized here.
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($object, 3))
                if ($copy -is [System.Management.Automation.PSObject]) {
                    Add-Member -InputObject $copy -MemberType NoteProperty -Name PSComputerName -Value $item.Computer -Force
                }
                $copy
            }
            foreach ($errorRecord in @($item.Shell.Streams.Error)) {
                New-Object -TypeName System.Management.Automation.Runspaces.RemotingErrorRecord -ArgumentList $errorRecord, $origin
            }
            foreach ($warning in @($item.Shell.Streams.Warning)) {
                Write-Warning -Message ('[{0}] {1}' -f $item.Computer, $warning.Message)
            }
            if ($null -ne $failure) {
                $inner = $failure.Exception
                while ($inner -is [System.Management.Automation.MethodInvocationException] -and $null -ne $inner.InnerException) {
                    $inner = $inner.InnerException
                }
                if ($inner -is [System.Management.Automation.IContainsErrorRecord]) {
                    $record = $inner.ErrorRecord
                }
                else {
                    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $inner, 'RemoteCommandFailed', ([System.Management.Automation.ErrorCategory]::NotSpecified), $item.Computer
                }
                New-Object -TypeName System.Management.Automation.Runspaces.RemotingErrorRecord -ArgumentList $record, $origin
            }
        }
    }
    finally {
        foreach ($item in $running) {
            if ($null -ne $item.Shell) {
                $item.Shell.Dispose()
            }
        }
        $pool.Close()
        $pool.Dispose()
    }
}
