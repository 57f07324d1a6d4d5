<#
.SYNOPSIS
    The main job on local defaults: check the DC and the Root User DN, sync the JumpCloud
    sandbox's demo org into the test DC, then set up the service account the wizard's way and
    install the sync agent with a one-time connect key; change users in JumpCloud (a password
    too) and watch the agent bring AD along within seconds; show its status and history, and
    uninstall it (the sandbox stops with the demo).
    Run through scripts/demo.sh (npm run demo), which starts the DC and the sandbox.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $SandboxFile,

    [string] $ConnectionFile = (Join-Path -Path $PSScriptRoot -ChildPath '../build/testdc/connection.json'),

    [string] $RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path -Path $PSScriptRoot -ChildPath '../JumpCloudADI.psd1') -Force

$dc = Get-Content -Raw -LiteralPath $ConnectionFile | ConvertFrom-Json
$sandbox = Get-Content -Raw -LiteralPath $SandboxFile | ConvertFrom-Json
$adminPassword = ConvertTo-SecureString -String (Get-Content -Raw -LiteralPath $dc.adminPasswordFile).Trim() -AsPlainText -Force
$credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $dc.adminUPN, $adminPassword
$apiKey = ConvertTo-SecureString -String (Get-Content -Raw -LiteralPath $sandbox.apiKeyFile).Trim() -AsPlainText -Force

$splatDc = @{ Server = $dc.host; Credential = $credential; CertificateAuthorityFile = $dc.caFile }
$splatSync = $splatDc + @{
    Domain                            = $dc.adiDomain
    RootUserDN                        = $RootUserDN
    JumpCloudUrl                      = $sandbox.url
    JumpCloudCertificateAuthorityFile = $sandbox.caFile
    JumpCloudApiKey                   = $apiKey
}

function Write-Step([string] $Text) {
    Write-Output ''
    Write-Output "=== $Text"
}

function Invoke-SandboxAdmin([object[]] $Calls) {
    # The sandbox's admin surface plays the JumpCloud admin console (TLS verified with its CA).
    $request = @{ url = $sandbox.url; caFile = $sandbox.caFile; apiKeyFile = $sandbox.apiKeyFile; calls = $Calls } | ConvertTo-Json -Depth 10 -Compress
    $null = $request | node (Join-Path -Path $PSScriptRoot -ChildPath 'sandbox-admin.mjs')
    if ($LASTEXITCODE -ne 0) { throw 'The sandbox admin call failed.' }
}

Write-Step "Domain controller $($dc.host): LDAPS, certificate verified against the test CA"
Test-JCDomainController @splatDc -RootUserDN $RootUserDN |
    Format-List Server, DnsHostName, DefaultNamingContext, TlsVerified, CanReadRootContainer

Write-Step 'Root User DN checks (ADI format)'
$RootUserDN, 'OU=Corporate Users,DC=example,DC=com' | Test-JCRootDN -Domain $dc.adiDomain @splatDc |
    Format-Table RootUserDN, IsValid, Exists, Problems -Wrap

Write-Step "What the sync would do: JumpCloud sandbox ($($sandbox.url), demo org) -> $RootUserDN"
Get-JCSyncPlan @splatSync | Group-Object -Property Operation -NoElement | Sort-Object -Property Name | Format-Table Count, Name

Write-Step 'Sync'
Invoke-JCSync @splatSync -Confirm:$false | Format-List Domain, RootUserDN, Planned, Applied, Failed, Reported, DurationSeconds

Write-Step 'The service account jcsync, with the wizard''s delegation on the root container'
# A fresh random password each run; it exists only in memory and, protected, in the agent's config.
$alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
$random = -join (1..20 | ForEach-Object { $alphabet[(Get-Random -Maximum $alphabet.Length)] })
$servicePassword = ConvertTo-SecureString -String ('Jc-' + $random + '-9a') -AsPlainText -Force
$random = $null
try {
    New-JCSyncServiceAccount -Path ('CN=Users;' + $dc.adiDomain) -Password $servicePassword @splatDc -Confirm:$false |
        Format-List SamAccountName, UserPrincipalName, DistinguishedName, Enabled, PasswordNeverExpires
}
catch {
    if ($_.FullyQualifiedErrorId -notlike 'ServiceAccount.Exists,*') { throw }
    Write-Output 'jcsync exists from an earlier demo: a new password for it'
    Reset-JCSyncServiceAccountPassword -ServiceAccount 'jcsync' -NewPassword $servicePassword @splatDc -Confirm:$false |
        Format-List ServiceAccount, ChangedInAD, Verified
}
Grant-JCSyncDelegation -RootUserDN $RootUserDN -ServiceAccount 'jcsync' @splatDc -Confirm:$false |
    Group-Object -Property Task | ForEach-Object {
        [pscustomobject]@{ Task = $_.Name; Aces = $_.Count; Added = @($_.Group | Where-Object { $_.Action -eq 'Added' }).Count }
    } | Format-Table Task, Aces, Added
$serviceCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ('jcsync@' + $dc.realm.ToLowerInvariant()), $servicePassword

$splatJumpCloud = @{
    JumpCloudUrl                      = $sandbox.url
    JumpCloudCertificateAuthorityFile = $sandbox.caFile
    JumpCloudApiKey                   = $apiKey
}
$installPath = [System.IO.Path]::GetFullPath((Join-Path -Path $PSScriptRoot -ChildPath '../build/demo-agent/AD Integration'))
if (Test-Path -LiteralPath $installPath) {
    Uninstall-JCSyncAgent -InstallPath $installPath -Confirm:$false | Out-Null
}

Write-Step 'Install the sync agent with a one-time connect key (binds as jcsync, not as an administrator)'
$key = New-JCSyncConnectKey -Domain $dc.adiDomain @splatJumpCloud
$splatInstall = @{
    InstallPath              = $installPath
    ServerType               = 'DC'
    DomainController         = $dc.host
    CertificateAuthorityFile = $dc.caFile
    RootUserDN               = $RootUserDN
    Domain                   = $dc.adiDomain
    ServiceAccountCredential = $serviceCredential
    Confirm                  = $false
}
# The agent runs under its own account (Linux: the system user jcadi), which cannot enter the
# sandbox's private data folder: it gets the sandbox CA's certificate (public) in a readable file.
$agentCaFile = [System.IO.Path]::GetFullPath((Join-Path -Path $PSScriptRoot -ChildPath '../build/demo-sandbox-ca.pem'))
Copy-Item -LiteralPath $sandbox.caFile -Destination $agentCaFile -Force
if (Test-Path -LiteralPath /bin/chmod) { & /bin/chmod 0644 $agentCaFile }
$splatAgentJumpCloud = @{} + $splatJumpCloud
$splatAgentJumpCloud.JumpCloudCertificateAuthorityFile = $agentCaFile
$key | Install-JCSyncAgent @splatInstall @splatAgentJumpCloud | Format-List InstallPath, ServerType, DomainController, RootUserDN, ServiceAccount, SecretsProtection, ServiceManager, Running, Role

function Wait-Change([string] $What, [System.Diagnostics.Stopwatch] $Clock, [scriptblock] $Condition) {
    # $Clock started when the change was made in JumpCloud.
    while (-not (& $Condition)) {
        if ($Clock.Elapsed.TotalSeconds -gt 60) { throw "The agent did not apply '$What' within 60 s." }
        Start-Sleep -Milliseconds 200
    }
    Write-Output ('{0,-52} in AD {1:N1} s after the change' -f $What, $Clock.Elapsed.TotalSeconds)
}
function Test-Converged {
    # The agent applied everything when a plan holds nothing but what AD cannot take.
    @(Get-JCSyncPlan @splatSync -WarningAction SilentlyContinue | Where-Object { $_.Operation -ne 'skip' }).Count -eq 0
}

try {
    Write-Step 'In JumpCloud: suspend bjorn.oberg, rename zoe.angstrom, give cher a last name, a new password for priya.rossi'
    $userPassword = ConvertTo-SecureString -String ('Demo-' + [guid]::NewGuid().ToString('N').Substring(0, 12) + '-7a') -AsPlainText -Force
    $userCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ('priya.rossi@' + $dc.realm.ToLowerInvariant()), $userPassword
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    Invoke-SandboxAdmin -Calls @(
        @{ method = 'PATCH'; path = '/users/bjorn.oberg'; body = @{ suspended = $true } }
        @{ method = 'PATCH'; path = '/users/zoe.angstrom'; body = @{ username = 'zoe.lindqvist'; lastname = 'Lindqvist' } }
        @{ method = 'PATCH'; path = '/users/cher'; body = @{ lastname = 'Sarkisian' } }
        @{ method = 'PATCH'; path = '/users/priya.rossi'; body = @{ password = $userCredential.GetNetworkCredential().Password } }
    )
    Wait-Change -What 'the password (priya.rossi binds over LDAPS with it)' -Clock $clock -Condition {
        try {
            $null = Test-JCDomainController -Server $dc.host -Credential $userCredential -CertificateAuthorityFile $dc.caFile
            $true
        }
        catch {
            $false
        }
    }
    Wait-Change -What 'the suspension, the rename and the last name' -Clock $clock -Condition { Test-Converged }

    Write-Step 'What the agent did (Get-JCSyncHistory)'
    Get-JCSyncHistory -InstallPath $installPath -Last 12 | Where-Object { $_.Outcome -ne 'Reported' } | Format-Table Time, Kind, Target, Outcome -AutoSize

    Write-Step 'The agent (Get-JCSyncAgent)'
    Get-JCSyncAgent -InstallPath $installPath
}
finally {
    Write-Step 'Uninstall the agent (the sandbox stops with the demo)'
    Uninstall-JCSyncAgent -InstallPath $installPath -Confirm:$false | Out-Null
    Write-Output "Removed $installPath"
}

Write-Step 'Converged: nothing left but what AD cannot take (reported, not written)'
Get-JCSyncPlan @splatSync | Format-Table Operation, Target, Reason -Wrap
