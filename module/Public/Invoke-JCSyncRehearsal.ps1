function Invoke-JCSyncRehearsal {
    <#
    .SYNOPSIS
        Rehearses the go-live on your own domain controller and returns the evidence, one object per check.
    .DESCRIPTION
        Before an agent is pointed at production users, proves on this DC what no lab can: the
        whole product flow against your AD, with your credential (or the sync service account),
        in a scratch OU that is removed again afterwards.

        1. Starts the JumpCloud sandbox (part of the engine) as a child process with a rehearsal
           org holding the awkward cases: non-ASCII names, a 20- and a 21-character username, a
           missing last name, a username already taken elsewhere, a first name over 64
           characters, a group of more than 1,500 members (range retrieval), users in scope only
           through a group, STAGED and SUSPENDED users. Your real JumpCloud org is not used.
        2. Creates the scratch OU JumpCloudADI-Rehearsal-<time> under -ParentDN (default: the
           parent of -RootUserDN, else the domain's root) with the root user container inside.
           With -ServiceAccountCredential, grants the Delegate Control wizard's rights to that
           account on the scratch container and verifies them; the sync and the agent then bind
           as that account.
        3. Runs the real flow: prerequisites and password policy alignment, plan, sync, a second
           plan (must be empty), the sync agent installed into a temporary folder and started,
           then changes in JumpCloud (rename, suspend, password, group membership, unbind) and an
           account disabled in AD (offboarding), each verified by reading AD or JumpCloud back and
           timed; the password is proven by binding as the user.
           On Windows the agent runs as a real Windows service named
           JumpCloudADISync-Rehearsal-<time> (never the production JumpCloudADISync), registered
           by the same code as Install-JCSyncAgent: the service host, its own virtual account
           NT SERVICE\<name>, the restart failure actions, the install folder's production ACL
           for that account. The Windows host rows then check that the service starts and stops
           gracefully, comes back by its recovery actions after its engine is killed, that the
           install folder's ACL is as designed, that DPAPI round-trips (and the service's account
           opened the agent's secrets), and that the service host wrote its Event Log entry.
        4. Removes everything it created (the Windows service, agent, folders, sandbox, the scratch
           OU and all its objects) unless -Keep, also when interrupted with Ctrl+C. A cleanup that
           fails lists what is left.

        Writes one JumpCloudADI.RehearsalCheck per check (Step, Area, Check, Status = Pass, Fail or
        Skipped, Reason, Evidence, Seconds), then one JumpCloudADI.RehearsalSummary. Checks that
        only a Windows host can answer (service control manager, install folder ACL, DPAPI, Event
        Log) say Skipped with the reason on any other host. With -ReportPath the checks are also written
        as a self-contained HTML report (see Export-JCSyncReport).

        Nothing is written outside the scratch OU. The credential's password is handed to the
        engine on its standard input only.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        An account that may create and delete an OU under -ParentDN (for example a Domain Admin).
    .PARAMETER Port
        TCP port of the domain controller. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (refused unless -AllowInsecureLdap and
        -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap; use only in an isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .PARAMETER RootUserDN
        The production root user container (ADI form, OU=Corporate Users;DC=example;DC=com): the
        scratch OU goes beside it (under its parent) unless -ParentDN says otherwise. It is not
        written to.
    .PARAMETER ParentDN
        Where the scratch OU is created, as an LDAP DN (OU=Labs,DC=example,DC=com) or in the ADI
        form (OU=Labs;DC=example;DC=com).
    .PARAMETER ServiceAccountCredential
        The sync service account (for example jcsync@example.com): the delegation is granted to it
        on the scratch container and verified, and the sync and the agent bind as it.
    .PARAMETER LargeGroupSize
        Members of the large group. Default: 1501 (one more than Windows returns without range
        retrieval); 0 leaves the group out.
    .PARAMETER ChangeTimeoutSeconds
        How long a change may take to show up before its check fails. Default: 90.
    .PARAMETER ReportPath
        Also writes the checks as a self-contained HTML report to this file (replaced if present).
    .PARAMETER Keep
        Leaves the scratch OU, the agent folder and the sandbox data in place for inspection (the
        processes are stopped, the Windows service is removed); remove the OU yourself afterwards.
    .EXAMPLE
        $admin = Get-Credential 'EXAMPLE\Administrator'
        Invoke-JCSyncRehearsal -Server dc1.example.com -Credential $admin -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -ReportPath .\rehearsal.html

        Rehearses beside the production root container and writes the report for the change ticket.
    .EXAMPLE
        $admin = Get-Credential 'EXAMPLE\Administrator'
        $svc = Get-Credential 'jcsync@example.com'
        $checks = Invoke-JCSyncRehearsal -Server dc1.example.com -Credential $admin -ParentDN 'OU=Labs,DC=example,DC=com' -ServiceAccountCredential $svc
        $checks | Where-Object Status -eq 'Fail' | Format-List Area, Check, Reason, Evidence

        Rehearses with the service account's own delegation, then shows only what failed.
    .EXAMPLE
        Invoke-JCSyncRehearsal @splatDc -Keep | Format-Table Step, Area, Check, Status, Seconds

        Keeps the scratch OU afterwards to look at the objects the sync created.
    .OUTPUTS
        JumpCloudADI.RehearsalCheck
        JumpCloudADI.RehearsalSummary
    .LINK
        Export-JCSyncReport
    .LINK
        Test-JCSyncPrerequisite
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.RehearsalCheck', 'JumpCloudADI.RehearsalSummary')]
    param(
        [Parameter(Mandatory = $true)]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10,

        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [ValidateNotNullOrEmpty()]
        [string] $ParentDN,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ServiceAccountCredential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateRange(0, 20000)]
        [int] $LargeGroupSize = 1501,

        [ValidateRange(5, 600)]
        [int] $ChangeTimeoutSeconds = 90,

        [ValidateNotNullOrEmpty()]
        [string] $ReportPath,

        [switch] $Keep
    )

    $dc = NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
    $engineParams = [ordered]@{
        dc                   = $dc
        largeGroupSize       = $LargeGroupSize
        changeTimeoutSeconds = $ChangeTimeoutSeconds
        keep                 = [bool]$Keep
    }
    $parent = $null
    if ($PSBoundParameters.ContainsKey('ParentDN')) {
        $parent = $ParentDN.Replace(';', ',')
    }
    elseif ($PSBoundParameters.ContainsKey('RootUserDN')) {
        $parts = $RootUserDN.Replace(';', ',') -split '(?<!\\),', 2
        if ($parts.Count -lt 2 -or $parts[1] -notmatch '^(?i)(OU|CN|DC)=') {
            $record = NewJCErrorRecord -ErrorId 'Rehearsal.RootUserDNInvalid' -Message ("-RootUserDN '{0}' has no parent container to put the scratch OU in; give -ParentDN." -f $RootUserDN) -Category InvalidArgument -TargetObject $RootUserDN -ExceptionType 'System.ArgumentException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        $parent = $parts[1]
    }
    if ($null -ne $parent) {
        $engineParams['parentDN'] = $parent
    }
    if ($ServiceAccountCredential -ne [System.Management.Automation.PSCredential]::Empty) {
        $userName = $ServiceAccountCredential.UserName
        $name = $userName
        if ($name.Contains('\')) {
            $name = $name.Substring($name.IndexOf('\') + 1)
        }
        elseif ($name.Contains('@')) {
            $name = $name.Substring(0, $name.IndexOf('@'))
        }
        $engineParams['serviceAccount'] = [ordered]@{
            name     = $name
            bindDN   = $userName
            password = $ServiceAccountCredential.Password
        }
    }
    $where = 'a scratch OU under {0}' -f $(if ($null -ne $parent) { $parent } else { 'the domain root' })
    if (-not $PSCmdlet.ShouldProcess($Server, ('Rehearse the sync in {0} (created and removed again{1})' -f $where, $(if ($Keep) { '; kept with -Keep' } else { '' })))) {
        return
    }

    # The engine writes what exists at each moment to this manifest (no secrets), so that the
    # cleanup below can remove it even when the engine was stopped half way (Ctrl+C).
    $manifestFile = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('jcadi-rehearsal-{0}.json' -f [System.Guid]::NewGuid().ToString('N'))
    $engineParams['manifestFile'] = $manifestFile

    # Windows: the agent runs as a real service under the rehearsal's own name; the engine asks
    # for it (start, check, remove) and InvokeJCRehearsalHost answers with the production code.
    $hostState = $null
    $requestHandler = $null
    if (TestJCIsWindows) {
        $serviceName = GetJCRehearsalServiceName -Time ([System.DateTime]::UtcNow)
        $engineParams['windowsHost'] = [ordered]@{
            serviceName     = $serviceName
            serviceHostFile = (GetJCServiceHostFile -EngineFile (FindJCEngine -Cmdlet $PSCmdlet))
        }
        $hostState = @{
            ServiceName   = $serviceName
            InstallPath   = ''
            Registered    = $false
            Started       = $false
            StartFacts    = $null
            StartError    = ''
            Since         = [System.DateTime]::Now
            SourceCreated = $false
            SourceRemoved = $false
            Removed       = $false
        }
        $requestHandler = {
            param($Request, $Caller)
            InvokeJCRehearsalHost -Request $Request -State $hostState -Cmdlet $Caller
        }
    }

    $checks = New-Object -TypeName System.Collections.Generic.List[object]
    $result = $null
    $completed = $false
    try {
        InvokeJCEngine -Command 'rehearsal' -Parameters $engineParams -Cmdlet $PSCmdlet -RequestHandler $requestHandler -Result ([ref]$result) | ForEach-Object {
            # The engine's rows and the module's Windows rows, numbered in the order they came.
            $_.Step = $checks.Count + 1
            $checks.Add($_)
            $_
        }
        $completed = $true
    }
    finally {
        if ($null -ne $hostState) {
            # Before the engine's cleanup: the service runs from the install folder (also after Ctrl+C).
            try {
                $hostCleanup = InvokeJCRehearsalCleanup -State $hostState -Cmdlet $PSCmdlet
                foreach ($entry in @($hostCleanup.Left)) {
                    Write-Warning -Message ('The rehearsal could not remove: {0}' -f $entry)
                }
            }
            catch {
                Write-Warning -Message ('The rehearsal could not remove its Windows service {0}: {1}' -f $hostState.ServiceName, $_.Exception.Message)
            }
        }
        if ((Test-Path -LiteralPath $manifestFile -PathType Leaf) -and -not ($completed -and $Keep)) {
            # Interrupted, or the engine's own cleanup left something: try once more from here.
            $savedProgress = $ProgressPreference
            $ProgressPreference = 'SilentlyContinue'
            try {
                $cleanup = @(InvokeJCEngine -Command 'rehearsal-cleanup' -Parameters ([ordered]@{ dc = $dc; manifestFile = $manifestFile }) -Cmdlet $PSCmdlet -ErrorAction SilentlyContinue)
                foreach ($entry in $cleanup) {
                    if (@($entry.Left).Count -gt 0) {
                        Write-Warning -Message ('The rehearsal could not remove: {0}' -f (@($entry.Left) -join '; '))
                    }
                }
            }
            catch {
                Write-Warning -Message ('The rehearsal cleanup failed ({0}); the manifest {1} names what may be left.' -f $_.Exception.Message, $manifestFile)
            }
            finally {
                $ProgressPreference = $savedProgress
            }
        }
    }

    # The PowerShell host itself: the one host check every platform can answer.
    $edition = 'Desktop'
    if ($PSVersionTable.ContainsKey('PSEdition')) {
        $edition = [string]$PSVersionTable.PSEdition
    }
    $os = [System.Environment]::OSVersion.VersionString
    $hostCheck = [pscustomobject]@{
        PSTypeName = 'JumpCloudADI.RehearsalCheck'
        Step       = $checks.Count + 1
        Area       = 'Host'
        Check      = 'PowerShell edition and version'
        Status     = 'Pass'
        Reason     = ''
        Evidence   = ('PowerShell {0} {1} on {2}' -f $edition, $PSVersionTable.PSVersion, $os)
        Seconds    = $null
    }
    $checks.Add($hostCheck)
    $hostCheck

    $summary = $null
    if ($null -ne $result) {
        $summary = $result.summary
    }
    $count = {
        param([string] $Status)
        @($checks | Where-Object { $_.Status -eq $Status }).Count
    }
    $report = $null
    if ($PSBoundParameters.ContainsKey('ReportPath')) {
        $note = '{0}: {1} passed, {2} failed, {3} skipped; scratch OU {4}' -f $Server, (& $count 'Pass'), (& $count 'Fail'), (& $count 'Skipped'), $(if ($null -ne $summary) { $summary.scratchOU } else { '(none)' })
        $report = $checks | Export-JCSyncReport -Path $ReportPath -Title ('JumpCloudADI rehearsal on {0}' -f $Server) -Note $note -Force -Confirm:$false
    }
    [pscustomobject]@{
        PSTypeName = 'JumpCloudADI.RehearsalSummary'
        Server     = $Server
        Passed     = & $count 'Pass'
        Failed     = & $count 'Fail'
        Skipped    = & $count 'Skipped'
        ScratchOU  = $(if ($null -ne $summary) { $summary.scratchOU } else { $null })
        Kept       = [bool]$Keep
        Seconds    = $(if ($null -ne $summary) { $summary.seconds } else { $null })
        ReportPath = $(if ($null -ne $report) { $report.FullName } else { $null })
    }
}
