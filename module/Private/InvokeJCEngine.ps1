# ---------------------------------------------------------------------------------------------
# InvokeJCEngine: THE single bridge between this module and the jcadi-engine executable.
# Every cmdlet reaches the engine through this function and nothing else starts the engine, so
# the unit tests of the public cmdlets mock exactly this function
# (Mock -ModuleName JumpCloudADI InvokeJCEngine), and its own tests run it against a fake engine.
# The contract it implements is engine/PROTOCOL.md (protocol version 1).
# ---------------------------------------------------------------------------------------------

function InvokeJCEngine {
    <#
    .SYNOPSIS
        Runs one engine command (jcadi-engine exec) and maps its JSON-lines answer to PowerShell.
    .DESCRIPTION
        The single bridge between the module and the engine (see engine/PROTOCOL.md). Unit tests of
        the public cmdlets mock this function; its own tests drive it against a fake engine.

        1. Finds the engine (FindJCEngine: JCADI_ENGINE_PATH, <module root>/build, <module root>/bin).
        2. Builds the request { protocol = 1; command; params } and writes it as compact JSON,
           UTF-8 without BOM, to the engine's stdin, then closes stdin. SecureString values in
           -Parameters become plain text only here, in memory (ConvertToJCRequestValue). The only
           argument on the engine's command line is "exec"; nothing is put in its environment.
        3. Reads stdout line by line while stderr is read asynchronously (no deadlock whatever the
           size of either stream) and maps each line:
             progress -> Write-Progress; log -> Write-Verbose (debug, verbose, info) or
             Write-Warning (warning); record -> a PSCustomObject with the record type as its first
             type name, written to the pipeline at once; error -> an ErrorRecord (id, category,
             target): non-fatal ones are written with WriteError, the last fatal one is thrown
             with ThrowTerminatingError once the engine has exited; result -> kept for -Result.
           A line that is not a JSON object with "v": 1 and a known "type" stops the engine and
           throws Engine.ProtocolError.
        4. Checks the exit code: 0 and 1 are fine (per-object errors were already written); 2, 3,
           4 and 5 without a fatal error line throw Engine.Exit2 .. Engine.Exit5, with the meaning
           and ErrorCategory the engine gives for the code (GetJCEngineDescription); 10 and any other
           code throw Engine.Crashed with the engine's stderr text.
        Writes nothing to the pipeline but the records.
    .PARAMETER Command
        The engine command (for example version, test-rootdn, ad-ping).
    .PARAMETER Parameters
        The command's params (a hashtable or ordered dictionary; nested dictionaries and lists are
        allowed). SecureString values are sent as their plain text. Omit for commands without params.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet: errors are written and thrown on its behalf, so they show
        the public cmdlet's name. Defaults to this function.
    .PARAMETER RequestHandler
        Answers the engine's requests to the module (engine/PROTOCOL.md, "Requests to the module"):
        a record of type JumpCloudADI.EngineRequest names a reply file, and the engine waits until
        that file exists. The handler is called with the request and -Cmdlet, and returns
        @{ Reply = @{ ok; reason; evidence }; Output = objects for the pipeline }; its Output goes
        to the pipeline, its Reply is written to the reply file (compact JSON, a temp file renamed
        into place, nothing secret). Without a handler, or when it fails, the reply says ok =
        false with the reason, so the engine never waits for nothing. The request itself is not
        written to the pipeline. Invoke-JCSyncRehearsal uses it on Windows: the engine asks the
        module to start, check and remove the rehearsal's Windows service.
    .PARAMETER Result
        A [ref] that receives the engine's "result" line (an object with exitCode and summary), or
        $null when the engine wrote none. Example: $r = $null; InvokeJCEngine -Command version -Result ([ref]$r)
    .OUTPUTS
        The records the engine wrote, typed with their recordType.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Command,

        [System.Collections.IDictionary] $Parameters,

        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [scriptblock] $RequestHandler,

        [ref] $Result
    )

    if ($null -eq $Cmdlet) {
        $Cmdlet = $PSCmdlet
    }
    if ($null -ne $Result) {
        $Result.Value = $null
    }

    $enginePath = FindJCEngine -Cmdlet $Cmdlet

    # --- request --------------------------------------------------------------------------
    try {
        $requestParams = ConvertToJCRequestValue -Value $Parameters
    }
    catch {
        $record = NewJCErrorRecord -ErrorId 'Engine.InvalidRequest' -Message $_.Exception.Message -Category InvalidArgument -TargetObject $Command -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($null -eq $requestParams) {
        $requestParams = [ordered]@{}
    }
    $request = [ordered]@{
        protocol = 1
        command  = $Command
        params   = $requestParams
    }
    $utf8NoBom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    $requestBytes = $utf8NoBom.GetBytes((ConvertTo-Json -InputObject $request -Depth 20 -Compress))
    $requestParams = $null
    $request = $null

    # --- process --------------------------------------------------------------------------
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $enginePath
    $startInfo.Arguments = 'exec'
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8NoBom
    $startInfo.StandardErrorEncoding = $utf8NoBom
    if (-not (TestJCIsWindows)) {
        # glibc's malloc settings, as for the agent: a sync's native memory goes back to the system (docs/memory.md).
        foreach ($setting in $script:JCEngineLinuxEnvironment) {
            $name, $value = $setting -split '=', 2
            $startInfo.EnvironmentVariables[$name] = $value
        }
    }

    # Windows PowerShell 5.1 (.NET Framework) opens the child's stdin with Console.InputEncoding
    # and writes that encoding's preamble at once: with a UTF-8 console (chcp 65001) the engine
    # would read a BOM before the request. Use a UTF-8 encoding without BOM while starting it.
    $savedInputEncoding = $null
    if ($PSVersionTable.PSVersion.Major -lt 6) {
        try {
            if ([System.Console]::InputEncoding.GetPreamble().Length -gt 0) {
                $savedInputEncoding = [System.Console]::InputEncoding
                [System.Console]::InputEncoding = $utf8NoBom
            }
        }
        catch {
            $savedInputEncoding = $null
        }
    }

    $process = New-Object -TypeName System.Diagnostics.Process
    $process.StartInfo = $startInfo
    try {
        [void]$process.Start()
    }
    catch {
        $startError = $_
        if ($null -ne $savedInputEncoding) {
            try {
                [System.Console]::InputEncoding = $savedInputEncoding
            }
            catch {
                Write-Verbose -Message ('Could not restore the console input encoding: {0}' -f $_.Exception.Message)
            }
        }
        [System.Array]::Clear($requestBytes, 0, $requestBytes.Length)
        $process.Dispose()
        $message = 'Cannot start the engine "{0}": {1}' -f $enginePath, $startError.Exception.Message
        $record = NewJCErrorRecord -ErrorId 'Engine.StartFailed' -Message $message -Category ResourceUnavailable -TargetObject $enginePath -ExceptionType 'System.InvalidOperationException'
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($null -ne $savedInputEncoding) {
        try {
            [System.Console]::InputEncoding = $savedInputEncoding
        }
        catch {
            Write-Verbose -Message ('Could not restore the console input encoding: {0}' -f $_.Exception.Message)
        }
    }

    $exitCode = $null
    $stderrText = ''
    $stdinProblem = $null
    $protocolProblem = $null
    $fatalRecord = $null
    $resultLine = $null
    $openProgress = New-Object -TypeName 'System.Collections.Generic.HashSet[int]'

    try {
        # stderr is drained in the background from the start: an engine that fills the stderr pipe
        # must never block while this function waits on stdout.
        $stderrTask = $process.StandardError.ReadToEndAsync()

        try {
            $stdin = $process.StandardInput.BaseStream
            $stdin.Write($requestBytes, 0, $requestBytes.Length)
            $stdin.Flush()
        }
        catch {
            # The engine closed its stdin early (it crashed or refused to start): its exit code
            # and stderr say why, below.
            $stdinProblem = $_.Exception.Message
        }
        finally {
            [System.Array]::Clear($requestBytes, 0, $requestBytes.Length)
            try {
                $process.StandardInput.Close()
            }
            catch {
                if ($null -eq $stdinProblem) {
                    $stdinProblem = $_.Exception.Message
                }
            }
        }

        $stdout = $process.StandardOutput
        while ($true) {
            # Wait in short slices so that Ctrl+C (StopProcessing) is honoured between them.
            $readTask = $stdout.ReadLineAsync()
            while (-not $readTask.Wait(200)) {
            }
            $line = $readTask.Result
            if ($null -eq $line) {
                break
            }
            if ([string]::IsNullOrWhiteSpace($line)) {
                continue
            }

            $message = $null
            try {
                $message = ConvertFrom-Json -InputObject $line -ErrorAction Stop
            }
            catch {
                $message = $null
            }
            if ($null -eq $message -or -not ($message -is [System.Management.Automation.PSCustomObject])) {
                $protocolProblem = 'a line that is not a JSON object: {0}' -f (LimitJCText -Text $line)
                break
            }
            $version = GetJCField -InputObject $message -Name 'v'
            if (-not (($version -is [int] -or $version -is [long]) -and $version -eq 1)) {
                $protocolProblem = 'a line with an unsupported protocol version (v = {0}; this module speaks 1): {1}' -f $version, (LimitJCText -Text $line)
                break
            }

            $type = [string](GetJCField -InputObject $message -Name 'type')
            switch -Exact ($type) {
                'progress' {
                    $activity = [string](GetJCField -InputObject $message -Name 'activity')
                    if ([string]::IsNullOrWhiteSpace($activity)) {
                        $activity = 'jcadi-engine'
                    }
                    $progressId = (GetJCField -InputObject $message -Name 'id') -as [int]
                    if ($null -eq $progressId -or $progressId -lt 0) {
                        $progressId = 0
                    }
                    $splatProgress = @{
                        Activity = $activity
                        Id       = $progressId
                    }
                    $status = [string](GetJCField -InputObject $message -Name 'status')
                    if (-not [string]::IsNullOrWhiteSpace($status)) {
                        $splatProgress['Status'] = $status
                    }
                    $percent = (GetJCField -InputObject $message -Name 'percent') -as [double]
                    if ($null -ne $percent -and $percent -ge 0) {
                        $splatProgress['PercentComplete'] = [int][System.Math]::Min(100, $percent)
                    }
                    if ([bool](GetJCField -InputObject $message -Name 'completed')) {
                        $splatProgress['Completed'] = $true
                        [void]$openProgress.Remove($progressId)
                    }
                    else {
                        [void]$openProgress.Add($progressId)
                    }
                    Write-Progress @splatProgress
                }
                'log' {
                    $level = [string](GetJCField -InputObject $message -Name 'level')
                    $text = [string](GetJCField -InputObject $message -Name 'message')
                    if ($level -eq 'warning' -or $level -eq 'warn') {
                        Write-Warning -Message $text
                    }
                    else {
                        Write-Verbose -Message $text
                    }
                }
                'record' {
                    $recordType = [string](GetJCField -InputObject $message -Name 'recordType')
                    $data = GetJCField -InputObject $message -Name 'data'
                    if ([string]::IsNullOrWhiteSpace($recordType) -or -not ($data -is [System.Management.Automation.PSCustomObject])) {
                        $protocolProblem = 'a record line without a recordType or an object in data: {0}' -f (LimitJCText -Text $line)
                        break
                    }
                    if ($recordType -eq 'JumpCloudADI.EngineRequest') {
                        # The engine waits for the answer in the file it named (never on stdin: it is closed).
                        $replyFile = [string](GetJCField -InputObject $data -Name 'Reply')
                        if (-not [System.IO.Path]::IsPathRooted($replyFile) -or -not $replyFile.EndsWith('.reply.json', [System.StringComparison]::Ordinal)) {
                            $protocolProblem = 'a request without an absolute *.reply.json reply file: {0}' -f (LimitJCText -Text $line)
                            break
                        }
                        $reply = @{ ok = $false; reason = ('this command takes no requests from the engine ({0})' -f $Command); evidence = '' }
                        if ($null -ne $RequestHandler) {
                            try {
                                $answer = & $RequestHandler $data $Cmdlet
                                foreach ($item in @($answer.Output)) {
                                    if ($null -ne $item) {
                                        $item
                                    }
                                }
                                $reply = $answer.Reply
                            }
                            catch [System.Management.Automation.PipelineStoppedException] {
                                throw
                            }
                            catch {
                                $reply = @{ ok = $false; reason = $_.Exception.Message; evidence = '' }
                            }
                        }
                        $replyTemp = $replyFile + '.tmp'
                        [System.IO.File]::WriteAllText($replyTemp, (ConvertTo-Json -InputObject $reply -Depth 5 -Compress), $utf8NoBom)
                        [System.IO.File]::Move($replyTemp, $replyFile)
                    }
                    else {
                        $data.PSObject.TypeNames.Insert(0, $recordType)
                        # Streamed: the record reaches the pipeline now, not when the engine exits.
                        $data
                    }
                }
                'error' {
                    $errorId = [string](GetJCField -InputObject $message -Name 'id')
                    if ([string]::IsNullOrWhiteSpace($errorId)) {
                        $errorId = 'Engine.Error'
                    }
                    $splatError = @{
                        ErrorId      = $errorId
                        Message      = [string](GetJCField -InputObject $message -Name 'message')
                        Category     = [string](GetJCField -InputObject $message -Name 'category')
                        TargetObject = (GetJCField -InputObject $message -Name 'target')
                    }
                    $errorRecord = NewJCErrorRecord @splatError
                    if ([bool](GetJCField -InputObject $message -Name 'fatal')) {
                        # The last fatal error terminates; an earlier one is still shown.
                        if ($null -ne $fatalRecord) {
                            $Cmdlet.WriteError($fatalRecord)
                        }
                        $fatalRecord = $errorRecord
                    }
                    else {
                        $Cmdlet.WriteError($errorRecord)
                    }
                }
                'result' {
                    $resultLine = $message
                }
                default {
                    $protocolProblem = 'a line of unknown type "{0}": {1}' -f $type, (LimitJCText -Text $line)
                }
            }
            if ($null -ne $protocolProblem) {
                break
            }
        }

        if ($null -ne $protocolProblem) {
            # Stop an engine that no longer speaks the protocol; keep what it said on stderr.
            if (-not $process.HasExited) {
                try {
                    $process.Kill()
                }
                catch {
                    Write-Verbose -Message ('Could not stop the engine: {0}' -f $_.Exception.Message)
                }
            }
            [void]$process.WaitForExit(5000)
        }
        else {
            $process.WaitForExit()
        }
        if ($process.HasExited) {
            $exitCode = $process.ExitCode
        }
        if ($stderrTask.Wait(5000)) {
            $stderrText = $stderrTask.Result
        }
    }
    finally {
        if (-not $process.HasExited) {
            # Reached when the pipeline was stopped (Ctrl+C, Select-Object -First) or on an
            # unexpected failure: never leave an engine behind.
            try {
                $process.Kill()
                [void]$process.WaitForExit(5000)
            }
            catch {
                Write-Verbose -Message ('Could not stop the engine: {0}' -f $_.Exception.Message)
            }
        }
        foreach ($progressId in @($openProgress)) {
            try {
                Write-Progress -Activity 'jcadi-engine' -Id $progressId -Completed
            }
            catch {
                Write-Verbose -Message ('Could not complete progress {0}: {1}' -f $progressId, $_.Exception.Message)
            }
        }
        $process.Dispose()
    }

    if ($null -ne $Result) {
        $Result.Value = $resultLine
    }
    if ($null -eq $stderrText) {
        $stderrText = ''
    }
    $stderrText = $stderrText.Trim()
    $stderrNote = ''
    if ($stderrText.Length -gt 0) {
        $stderrNote = ' Engine stderr: {0}' -f (LimitJCText -Text $stderrText -MaxLength 4000)
    }

    # --- outcome ---------------------------------------------------------------------------
    if ($null -ne $protocolProblem) {
        $message = 'The engine broke the protocol (exit code {0}): it wrote {1}.{2}' -f $exitCode, $protocolProblem, $stderrNote
        $record = NewJCErrorRecord -ErrorId 'Engine.ProtocolError' -Message $message -Category ProtocolError -TargetObject $Command -ExceptionType 'System.IO.InvalidDataException'
        $Cmdlet.ThrowTerminatingError($record)
    }

    $knownCodes = @(0, 1, 2, 3, 4, 5)
    $crashed = -not ($knownCodes -contains $exitCode)

    if ($null -ne $fatalRecord) {
        if ($crashed -and $stderrNote.Length -gt 0) {
            $fatalRecord.ErrorDetails = New-Object -TypeName System.Management.Automation.ErrorDetails -ArgumentList ($fatalRecord.Exception.Message + $stderrNote)
        }
        $Cmdlet.ThrowTerminatingError($fatalRecord)
    }

    if ($stderrText.Length -gt 0 -and -not $crashed) {
        Write-Verbose -Message ('Engine stderr: {0}' -f (LimitJCText -Text $stderrText -MaxLength 4000))
    }

    switch ($exitCode) {
        { $_ -eq 0 -or $_ -eq 1 } {
            if ($null -eq $resultLine) {
                $message = 'The engine broke the protocol: it exited with code {0} without a result line.{1}' -f $exitCode, $stderrNote
                $record = NewJCErrorRecord -ErrorId 'Engine.ProtocolError' -Message $message -Category ProtocolError -TargetObject $Command -ExceptionType 'System.IO.InvalidDataException'
                $Cmdlet.ThrowTerminatingError($record)
            }
            return
        }
        { $_ -ge 2 -and $_ -le 5 } {
            # What the code means comes from the engine itself (describe, once a session); an
            # engine that cannot say (it is the one failing) leaves the category unspecified.
            $meaning = 'the engine gave no meaning for it'
            $category = 'NotSpecified'
            if ($Command -ne 'describe') {
                try {
                    $described = @(GetJCField -InputObject (GetJCEngineDescription -Cmdlet $PSCmdlet) -Name 'ExitCodes') | Where-Object { (GetJCField -InputObject $_ -Name 'Code') -eq $exitCode } | Select-Object -First 1
                    if ($null -ne $described) {
                        $meaning = [string](GetJCField -InputObject $described -Name 'Meaning')
                        $category = [string](GetJCField -InputObject $described -Name 'Category')
                    }
                }
                catch {
                    Write-Verbose -Message ('The engine could not describe its exit codes: {0}' -f $_.Exception.Message)
                }
            }
            $message = 'The engine exited with code {0}: {1} (it wrote no error line).{2}' -f $exitCode, $meaning, $stderrNote
            $record = NewJCErrorRecord -ErrorId ('Engine.Exit{0}' -f $exitCode) -Message $message -Category $category -TargetObject $Command
            $Cmdlet.ThrowTerminatingError($record)
        }
    }

    $reason = 'The engine failed (exit code {0}).' -f $exitCode
    if ($null -eq $exitCode) {
        $reason = 'The engine did not exit.'
    }
    if ($null -ne $stdinProblem) {
        $reason = '{0} Writing the request to it failed: {1}.' -f $reason, $stdinProblem
    }
    if ($stderrNote.Length -eq 0) {
        $stderrNote = ' It wrote nothing on stderr.'
    }
    $record = NewJCErrorRecord -ErrorId 'Engine.Crashed' -Message ($reason + $stderrNote) -Category InvalidResult -TargetObject $Command -ExceptionType 'System.InvalidOperationException'
    $Cmdlet.ThrowTerminatingError($record)
}
