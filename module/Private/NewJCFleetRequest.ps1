# What a fleet call sends: this script block runs on each computer (over remoting, or in a local
# runspace for the local computer adapter). It loads the module (installed there, or the copy at
# $ModulePath) and runs one agent cmdlet with the parameters, which travel inside the encrypted
# remoting session (secrets as SecureStrings, never as text).
$script:JCFleetScript = {
    param([string] $Command, [System.Collections.IDictionary] $Parameters, [string] $ModulePath)
    if ([string]::IsNullOrEmpty($ModulePath)) {
        Import-Module -Name JumpCloudADI -ErrorAction Stop
    }
    else {
        Import-Module -Name $ModulePath -Force -ErrorAction Stop
    }
    & $Command @Parameters
}

# Parameters that belong to the console side of a fleet call and are never sent.
$script:JCFleetLocalParameters = @(
    'ComputerName', 'Credential', 'ThrottleLimit', 'RemoteModulePath',
    'WhatIf', 'Confirm', 'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction',
    'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable'
)

function NewJCFleetRequest {
    <#
    .SYNOPSIS
        Computes what a fleet call sends, to which computers, with which throttle (pure: no I/O).
    .DESCRIPTION
        The computer names trimmed and deduplicated (case-insensitive, first spelling kept), the
        script block ($script:JCFleetScript), its arguments (the cmdlet to run there, the
        parameters to pass it: the caller's bound parameters without the console-side ones, switches
        as booleans, -Confirm:$false because the console asked already), the throttle and the
        remoting credential. Empty names are refused (Remote.ComputerNameInvalid).
    .PARAMETER ComputerName
        The computers.
    .PARAMETER Command
        The agent cmdlet to run on each computer (Get-JCSyncAgent, ...).
    .PARAMETER BoundParameters
        The calling cmdlet's $PSBoundParameters (or any dictionary of parameters).
    .PARAMETER ThrottleLimit
        How many computers at once.
    .PARAMETER Credential
        The account for remoting (Empty: the current one).
    .PARAMETER ModulePath
        The module to load on each computer instead of the installed JumpCloudADI.
    .PARAMETER Confirmable
        The cmdlet supports -Confirm (then -Confirm:$false is sent).
    .OUTPUTS
        System.Collections.Hashtable: ComputerName, ScriptBlock, ArgumentList, ThrottleLimit, Credential.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true)]
        [string] $Command,

        [System.Collections.IDictionary] $BoundParameters = @{},

        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32,

        [System.Management.Automation.PSCredential] $Credential = [System.Management.Automation.PSCredential]::Empty,

        [string] $ModulePath,

        [switch] $Confirmable
    )

    $names = New-Object -TypeName System.Collections.Generic.List[string]
    $seen = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($name in $ComputerName) {
        $trimmed = ([string]$name).Trim()
        if ($trimmed.Length -eq 0) {
            $record = NewJCErrorRecord -ErrorId 'Remote.ComputerNameInvalid' -Message 'A computer name is empty.' -Category InvalidArgument -TargetObject $name -ExceptionType 'System.ArgumentException'
            throw $record
        }
        if ($seen.Add($trimmed)) {
            $names.Add($trimmed)
        }
    }

    $parameters = @{}
    foreach ($key in @($BoundParameters.Keys)) {
        if ($script:JCFleetLocalParameters -contains $key) {
            continue
        }
        $value = $BoundParameters[$key]
        if ($value -is [System.Management.Automation.SwitchParameter]) {
            $value = $value.IsPresent
        }
        $parameters[$key] = $value
    }
    if ($Confirmable) {
        $parameters['Confirm'] = $false
    }

    return @{
        ComputerName  = $names.ToArray()
        ScriptBlock   = $script:JCFleetScript
        ArgumentList  = @($Command, $parameters, $ModulePath)
        ThrottleLimit = $ThrottleLimit
        Credential    = $Credential
    }
}
