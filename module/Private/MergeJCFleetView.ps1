function MergeJCFleetView {
    <#
    .SYNOPSIS
        Joins JumpCloud's agents of a domain with the servers' own status and flags what needs attention (pure: no I/O).
    .DESCRIPTION
        One JumpCloudADI.SyncFleetMember per agent: the JumpCloud record (state, primary, last
        contact, version) joined by agent id with the server that runs it (installed, running,
        connected, role, version), plus one per server whose agent JumpCloud does not list and
        one per server that could not be asked. Flags:
          NoPrimary           the domain has no active primary (on every member);
          NotHeardFrom        JumpCloud's state is inactive: the agent is silent past the timeout;
          NotConnected        the record's connect key was never used (state unsealed);
          NotRunning          the server has the agent installed but it does not run;
          VersionBehind       the agent's version is older than the module's engine;
          UnknownToJumpCloud  the server runs an agent whose record JumpCloud no longer has;
          NoServer            JumpCloud lists the agent but no server that was asked runs it;
          Unreachable         the server could not be asked (its error says why).
    .PARAMETER Domain
        The JumpCloudADI.ADIDomain record (Get-JCADIDomain): Domain, PrimaryAgent, Agents.
    .PARAMETER Status
        The servers' JumpCloudADI.SyncAgentStatus objects, each with ComputerName.
    .PARAMETER Unreachable
        The computers that could not be asked.
    .PARAMETER ModuleVersion
        The version of the module's engine.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [psobject] $Domain,

        [AllowEmptyCollection()]
        [object[]] $Status = @(),

        [AllowEmptyCollection()]
        [string[]] $Unreachable = @(),

        [string] $ModuleVersion
    )

    $records = @($Domain.Agents | Where-Object { $null -ne $_ })
    $primaryId = [string]$Domain.PrimaryAgent
    $hasPrimary = @($records | Where-Object { [string](GetJCField -InputObject $_ -Name 'Id') -eq $primaryId -and (GetJCField -InputObject $_ -Name 'State') -eq 'active' }).Count -gt 0
    $byAgent = @{}
    foreach ($server in @($Status | Where-Object { $null -ne $_ -and (GetJCField -InputObject $_ -Name 'Installed') -and -not [string]::IsNullOrEmpty([string](GetJCField -InputObject $_ -Name 'AgentId')) })) {
        $byAgent[[string](GetJCField -InputObject $server -Name 'AgentId')] = $server
    }
    $known = @{}
    foreach ($record in $records) {
        $known[[string](GetJCField -InputObject $record -Name 'Id')] = $true
    }

    $rows = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($record in $records) {
        $server = $byAgent[[string](GetJCField -InputObject $record -Name 'Id')]
        $rows.Add((NewJCFleetMember -Domain $Domain.Domain -Record $record -Server $server -PrimaryId $primaryId))
    }
    foreach ($server in @($Status | Where-Object { $null -ne $_ })) {
        if ((GetJCField -InputObject $server -Name 'Installed') -and -not [string]::IsNullOrEmpty([string](GetJCField -InputObject $server -Name 'AgentId')) -and $known.ContainsKey([string](GetJCField -InputObject $server -Name 'AgentId'))) {
            continue
        }
        $rows.Add((NewJCFleetMember -Domain $Domain.Domain -Record $null -Server $server -PrimaryId $primaryId))
    }
    foreach ($computer in $Unreachable) {
        $row = NewJCFleetMember -Domain $Domain.Domain -Record $null -Server $null -PrimaryId $primaryId
        $row.ComputerName = $computer
        $row.Reachable = $false
        $rows.Add($row)
    }

    $moduleParsed = ConvertToJCVersion -Version $ModuleVersion
    $askedSomeone = @($Status).Count -gt 0
    foreach ($row in $rows) {
        $flags = New-Object -TypeName System.Collections.Generic.List[string]
        if (-not $hasPrimary) {
            $flags.Add('NoPrimary')
        }
        if ($row.State -eq 'inactive') {
            $flags.Add('NotHeardFrom')
        }
        elseif ($row.State -eq 'unsealed') {
            $flags.Add('NotConnected')
        }
        if ($row.Installed -eq $true -and $row.Running -ne $true) {
            $flags.Add('NotRunning')
        }
        $version = $row.Version
        if ([string]::IsNullOrEmpty([string]$version)) {
            $version = $row.JumpCloudVersion
        }
        $parsed = ConvertToJCVersion -Version $version
        if ($null -ne $moduleParsed -and $null -ne $parsed -and $parsed -lt $moduleParsed) {
            $flags.Add('VersionBehind')
        }
        if ($row.Installed -eq $true -and $null -eq $row.State) {
            $flags.Add('UnknownToJumpCloud')
        }
        if ($null -ne $row.State -and $row.Reachable -eq $null -and $askedSomeone) {
            $flags.Add('NoServer')
        }
        if ($row.Reachable -eq $false) {
            $flags.Add('Unreachable')
        }
        $row.Flags = $flags.ToArray()
        $row.NeedsAttention = $flags.Count -gt 0
        $row
    }
}
