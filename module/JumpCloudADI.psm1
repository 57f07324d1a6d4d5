# JumpCloudADI root module.
# Dot-sources the private helpers, then the public cmdlets (one function a file, named as the
# file), and exports the public ones only. Private helper names carry no hyphen so they can never be exported by accident.
# This file must stay valid Windows PowerShell 5.1 as well as PowerShell 7.

Set-StrictMode -Version 3.0

#region Module state (scripts/package-module.ps1 copies this region into the release psm1)
# Folder of this file (module/) and of the manifest (the repository root in development, the
# package root when installed). FindJCEngine looks for the engine relative to the latter.
$script:JCModuleFolder = $PSScriptRoot
$script:JCModuleRoot = Split-Path -Path $PSScriptRoot -Parent

# Names of the agent service (module/Private/InvokeJCAgentService.ps1 and its helpers).
$script:JCServiceName = 'JumpCloudADISync'
$script:JCServiceDisplayName = 'JumpCloud AD Integration Sync Agent'
$script:JCSystemdUnitFolder = '/etc/systemd/system'
$script:JCSystemdUnitName = 'jcadi-sync-agent.service'
# The agent's NODE_OPTIONS, set so that no other reaches it (empty: the engine sets its V8 flags itself):
# AGENT_NODE_OPTIONS of engine/src/agent/install.ts (a test compares them).
$script:JCAgentNodeOptions = ''
# glibc's malloc settings for the engine on Linux (the systemd unit, every exec): ENGINE_LINUX_ENV of engine/src/agent/install.ts (a test compares them).
$script:JCEngineLinuxEnvironment = @('MALLOC_ARENA_MAX=1', 'MALLOC_MMAP_THRESHOLD_=65536', 'MALLOC_TRIM_THRESHOLD_=131072', 'MALLOC_TOP_PAD_=0')
# The service's virtual account (Windows) and the agent's dedicated system user (Linux).
$script:JCServiceAccount = 'NT SERVICE\' + $script:JCServiceName
# A rehearsal's service (Invoke-JCSyncRehearsal): its own name, never the production one.
$script:JCRehearsalServicePrefix = 'JumpCloudADISync-Rehearsal-'
$script:JCRehearsalServicePattern = '^JumpCloudADISync-Rehearsal-[0-9]{8}-[0-9]{6}$'
$script:JCAgentUser = 'jcadi'

# The one default of each cmdlet parameter that has one: the block builders (GetJCBoundValue)
# use it for a parameter not given, and every cmdlet declaring the parameter declares this value
# (tests/pester/Unit/Module.Tests.ps1 checks both).
$script:JCParameterDefaults = @{
    LdapMode                = 'Ldaps'
    TimeoutSeconds          = 10
    JumpCloudTimeoutSeconds = 30
}

# The engine's describe answer (exit codes, install-folder file names) by engine path: asked once
# a session (module/Private/GetJCEngineDescription.ps1).
$script:JCEngineDescriptions = @{}

# The local computer adapter (module/Private/UseJCLocalComputer.ps1): computer name -> install
# folder of an agent of this machine standing for that server; $null: -ComputerName uses remoting.
$script:JCLocalComputers = $null
#endregion

$privateFiles = @(Get-ChildItem -Path (Join-Path -Path $PSScriptRoot -ChildPath 'Private') -Filter '*.ps1' -File -ErrorAction SilentlyContinue)
$publicFiles = @(Get-ChildItem -Path (Join-Path -Path $PSScriptRoot -ChildPath 'Public') -Filter '*.ps1' -File -ErrorAction SilentlyContinue)

foreach ($file in @($privateFiles + $publicFiles)) {
    try {
        . $file.FullName
    }
    catch {
        throw "JumpCloudADI: cannot load '$($file.FullName)': $($_.Exception.Message)"
    }
}

Export-ModuleMember -Function @($publicFiles | ForEach-Object { $_.BaseName })
