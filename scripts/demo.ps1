<#
.SYNOPSIS
    The main job on local defaults: check the test DC and the Root User DN the way an admin would
    before installing a sync agent. Run through scripts/demo.sh (npm run demo).
#>
[CmdletBinding()]
param(
    [string] $ConnectionFile = (Join-Path $PSScriptRoot '../build/testdc/connection.json')
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../JumpCloudADI.psd1') -Force

$dc = Get-Content -Raw -LiteralPath $ConnectionFile | ConvertFrom-Json
$password = ConvertTo-SecureString -String (Get-Content -Raw -LiteralPath $dc.adminPasswordFile).Trim() -AsPlainText -Force
$credential = New-Object System.Management.Automation.PSCredential ($dc.adminUPN, $password)
$splatDc = @{ Server = $dc.host; Credential = $credential; CertificateAuthorityFile = $dc.caFile }

Write-Output '--- Engine'
Get-JCSyncEngine | Format-List

Write-Output "--- Domain controller $($dc.host) (LDAPS, verified against the test CA)"
Test-JCDomainController @splatDc -RootUserDN 'OU=Corporate Users;DC=example;DC=com' | Format-List

Write-Output '--- Root User DN checks'
'OU=Corporate Users;DC=example;DC=com', 'CN=Users;DC=example;DC=com', 'OU=Corporate Users,DC=example,DC=com', 'OU=Missing;DC=example;DC=com' |
    Test-JCRootDN -Domain $dc.adiDomain @splatDc |
    Format-List RootUserDN, IsValid, LdapDN, UnderDomain, Exists, Problems
