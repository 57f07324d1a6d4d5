<#
.SYNOPSIS
    The main job on local defaults: check the DC and the Root User DN, then sync the JumpCloud
    sandbox's demo org into the test DC, change a few users in JumpCloud and sync again.
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

Write-Step 'In JumpCloud: suspend bjorn.oberg, rename zoe.angstrom, give cher a last name'
Invoke-SandboxAdmin -Calls @(
    @{ method = 'PATCH'; path = '/users/bjorn.oberg'; body = @{ suspended = $true } }
    @{ method = 'PATCH'; path = '/users/zoe.angstrom'; body = @{ username = 'zoe.lindqvist'; lastname = 'Lindqvist' } }
    @{ method = 'PATCH'; path = '/users/cher'; body = @{ lastname = 'Sarkisian' } }
)
Get-JCSyncPlan @splatSync | Where-Object { $_.Operation -ne 'skip' } | Format-List

Write-Step 'Sync again'
Invoke-JCSync @splatSync -Confirm:$false | Format-List Planned, Applied, Failed, Reported, DurationSeconds

Write-Step 'Converged: nothing left but what AD cannot take (reported, not written)'
Get-JCSyncPlan @splatSync | Format-Table Operation, Target, Reason -Wrap
