function Get-JCSyncHistory {
    <#
    .SYNOPSIS
        Shows the journal of what the sync agent did: every applied, failed or reported operation.
    .DESCRIPTION
        Reads the agent's journal (one entry per operation, written before the next one starts,
        so it survives a crash) and returns the entries, oldest first: time, kind (createUser,
        updateUser, renameUser, disableUser, enableUser, setPassword, offboardUser, addMember,
        createGroup, skip, ...), target (a DN, or "member in group"), JumpCloud id, outcome
        (Applied, Failed, Reported, or Staged: what a staging agent would have applied, written
        nowhere) and the detail (the reason, or the error). Passwords are never
        in the journal, only that one was set or refused and why.

        Filters: -User (a username, a name in the target, or a JumpCloud id), -Since and -Until,
        -Outcome, -Kind, and -Last for the newest entries only.
    .PARAMETER InstallPath
        The agent's install folder (its journal.jsonl). Default: C:\Program Files\JumpCloud\AD
        Integration\ on Windows, /opt/jumpcloudadi elsewhere.
    .PARAMETER JournalPath
        A journal file to read instead (for example one kept by Uninstall-JCSyncAgent
        -KeepHistory, or Invoke-JCSync's).
    .PARAMETER User
        Only entries about this user: a username (matched in the target, case-insensitive) or a
        JumpCloud id.
    .PARAMETER Since
        Only entries at or after this time.
    .PARAMETER Until
        Only entries at or before this time.
    .PARAMETER Outcome
        Only Applied, Failed, Reported or Staged entries (Staged: the would-be operations of a
        staging agent, Install-JCSyncAgent -Staging, each journaled once).
    .PARAMETER Kind
        Only entries of this kind, for example setPassword or offboardUser.
    .PARAMETER Last
        Only the newest N matching entries.
    .PARAMETER ComputerName
        Reads the journals of these servers over PowerShell remoting (the JumpCloudADI module must
        be installed there), all at once up to -ThrottleLimit. Names can be piped in. Each entry
        carries ComputerName; a server that cannot be reached is a non-terminating error
        (Remote.Unreachable) and the others go on.
    .PARAMETER Credential
        The account for PowerShell remoting (-ComputerName); default: the current one.
    .PARAMETER ThrottleLimit
        How many servers at once with -ComputerName. Default: 32.
    .EXAMPLE
        Get-JCSyncHistory -User ann.lee -Since (Get-Date).AddDays(-1)

        What the agent did to ann.lee's account in the last day.
    .EXAMPLE
        Get-JCSyncHistory -Outcome Failed -Last 20

        The last 20 failures, with AD's reasons.
    .EXAMPLE
        Get-JCSyncHistory -Kind offboardUser

        The users suspended in JumpCloud because an administrator disabled them in AD.
    .EXAMPLE
        'dc1', 'dc2' | Get-JCSyncHistory -User ann.lee | Sort-Object Time | Format-Table ComputerName, Time, Kind, Outcome

        What the agents of both servers did to ann.lee's account, in one list.
    .OUTPUTS
        JumpCloudADI.SyncHistoryEntry
        Time, Kind, Target, JumpCloudId, Outcome, Detail, ErrorId and Run.
    .LINK
        Get-JCSyncAgent
    #>
    [CmdletBinding(DefaultParameterSetName = 'Install')]
    [OutputType('JumpCloudADI.SyncHistoryEntry')]
    param(
        [Parameter(ParameterSetName = 'Install', Position = 0)]
        [Parameter(ParameterSetName = 'Remote')]
        [ValidateNotNullOrEmpty()]
        [string] $InstallPath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Journal')]
        [ValidateNotNullOrEmpty()]
        [string] $JournalPath,

        [ValidateNotNullOrEmpty()]
        [string] $User,

        [datetime] $Since,

        [datetime] $Until,

        [ValidateSet('Applied', 'Failed', 'Reported', 'Staged')]
        [string] $Outcome,

        [ValidateNotNullOrEmpty()]
        [string] $Kind,

        [ValidateRange(1, 1000000)]
        [int] $Last,

        [Parameter(Mandatory = $true, ParameterSetName = 'Remote', ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(ParameterSetName = 'Remote')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Remote')]
        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32
    )

    begin {
        $fleet = New-Object -TypeName System.Collections.Generic.List[string]
    }

    process {
        if ($PSCmdlet.ParameterSetName -eq 'Remote') {
            $fleet.AddRange([string[]]$ComputerName)
        }
    }

    end {
        if ($PSCmdlet.ParameterSetName -eq 'Remote') {
            if ($fleet.Count -gt 0) {
                InvokeJCFleetCmdlet -Cmdlet $PSCmdlet -ComputerName $fleet.ToArray() -BoundParameters $PSBoundParameters
            }
            return
        }

        $engineParams = [ordered]@{}
        if ($PSCmdlet.ParameterSetName -eq 'Journal') {
            $engineParams['journalFile'] = ResolveJCPath -Path $JournalPath -ParameterName 'JournalPath' -MustExist -Cmdlet $PSCmdlet
        }
        else {
            $engineParams['installPath'] = ResolveJCInstallPath -InstallPath $InstallPath -Cmdlet $PSCmdlet
        }
        if ($PSBoundParameters.ContainsKey('User')) {
            $engineParams['user'] = $User
        }
        $format = 'yyyy-MM-ddTHH:mm:ss.fffZ'
        if ($PSBoundParameters.ContainsKey('Since')) {
            $engineParams['since'] = $Since.ToUniversalTime().ToString($format, [System.Globalization.CultureInfo]::InvariantCulture)
        }
        if ($PSBoundParameters.ContainsKey('Until')) {
            $engineParams['until'] = $Until.ToUniversalTime().ToString($format, [System.Globalization.CultureInfo]::InvariantCulture)
        }
        if ($PSBoundParameters.ContainsKey('Outcome')) {
            $engineParams['outcome'] = $Outcome.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('Kind')) {
            $engineParams['kind'] = $Kind
        }
        if ($PSBoundParameters.ContainsKey('Last')) {
            $engineParams['last'] = $Last
        }
        InvokeJCEngine -Command 'agent-history' -Parameters $engineParams -Cmdlet $PSCmdlet
    }
}
