function NewJCFleetMember {
    <#
    .SYNOPSIS
        One row of the fleet view: a JumpCloud agent record and/or the server that runs it.
    .PARAMETER Domain
        The ADI domain's name.
    .PARAMETER Record
        The JumpCloud agent record (Id, Hostname, State, ContactAt, Version), or $null.
    .PARAMETER Server
        The server's JumpCloudADI.SyncAgentStatus (with ComputerName), or $null.
    .PARAMETER PrimaryId
        The id of the domain's primary agent in JumpCloud.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Domain,

        [AllowNull()]
        [psobject] $Record,

        [AllowNull()]
        [psobject] $Server,

        [AllowEmptyString()]
        [string] $PrimaryId
    )

    $row = [pscustomobject]@{
        PSTypeName       = 'JumpCloudADI.SyncFleetMember'
        Domain           = $Domain
        ComputerName     = $null
        AgentId          = $null
        Hostname         = $null
        State            = $null
        Primary          = $false
        ContactAt        = $null
        JumpCloudVersion = $null
        Reachable        = $null
        Installed        = $null
        Running          = $null
        Connected        = $null
        Role             = $null
        Version          = $null
        InstallPath      = $null
        LastError        = $null
        Flags            = @()
        NeedsAttention   = $false
    }
    if ($null -ne $Record) {
        $row.AgentId = [string](GetJCField -InputObject $Record -Name 'Id')
        $row.Hostname = (GetJCField -InputObject $Record -Name 'Hostname')
        $row.State = (GetJCField -InputObject $Record -Name 'State')
        $row.Primary = ([string](GetJCField -InputObject $Record -Name 'Id') -eq $PrimaryId)
        $row.ContactAt = (GetJCField -InputObject $Record -Name 'ContactAt')
        $row.JumpCloudVersion = (GetJCField -InputObject $Record -Name 'Version')
    }
    if ($null -ne $Server) {
        $row.ComputerName = (GetJCField -InputObject $Server -Name 'ComputerName')
        $row.Reachable = $true
        $row.Installed = [bool](GetJCField -InputObject $Server -Name 'Installed')
        $row.Running = [bool](GetJCField -InputObject $Server -Name 'Running')
        $row.Connected = [bool](GetJCField -InputObject $Server -Name 'Connected')
        $row.Role = (GetJCField -InputObject $Server -Name 'Role')
        $row.Version = (GetJCField -InputObject $Server -Name 'Version')
        $row.InstallPath = (GetJCField -InputObject $Server -Name 'InstallPath')
        $row.LastError = (GetJCField -InputObject $Server -Name 'LastError')
        if ($null -eq $row.AgentId -and -not [string]::IsNullOrEmpty([string](GetJCField -InputObject $Server -Name 'AgentId'))) {
            $row.AgentId = [string](GetJCField -InputObject $Server -Name 'AgentId')
        }
    }
    return $row
}
