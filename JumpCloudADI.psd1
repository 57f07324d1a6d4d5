@{
    RootModule           = 'module/JumpCloudADI.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'd78da335-6b7e-4c13-8bc2-0a28dfc5721f'
    Author               = 'JumpCloudADI contributors'
    CompanyName          = 'JumpCloudADI contributors'
    Copyright            = '(c) JumpCloudADI contributors. MIT License.'
    Description          = 'JumpCloud to Active Directory sync agent: PowerShell cmdlets that drive the jcadi-engine executable (Root User DN checks, domain controller checks, sync).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('module/Formats/JumpCloudADI.Format.ps1xml', 'module/Formats/JumpCloudADI.Sync.Format.ps1xml', 'module/Formats/JumpCloudADI.Prerequisites.Format.ps1xml', 'module/Formats/JumpCloudADI.Agent.Format.ps1xml', 'module/Formats/JumpCloudADI.Csv.Format.ps1xml')
    FunctionsToExport    = @(
        'Get-JCSyncEngine'
        'Test-JCRootDN'
        'Test-JCDomainController'
        'Invoke-JCSync'
        'Get-JCSyncPlan'
        'New-JCSyncAnchorKey'
        'Remove-JCSyncGroup'
        'Test-JCSyncDelegation'
        'Grant-JCSyncDelegation'
        'New-JCSyncServiceAccount'
        'Reset-JCSyncServiceAccountPassword'
        'Test-JCPasswordPolicyAlignment'
        'Test-JCSyncPrerequisite'
        'New-JCADIDomain'
        'Get-JCADIDomain'
        'New-JCSyncConnectKey'
        'Install-JCSyncAgent'
        'Uninstall-JCSyncAgent'
        'Start-JCSyncAgent'
        'Stop-JCSyncAgent'
        'Get-JCSyncAgent'
        'Set-JCSyncAgent'
        'Get-JCSyncHistory'
        'Approve-JCSyncSafetyLimit'
        'Get-JCSyncFleet'
        'Update-JCSyncAgent'
        'Remove-JCSyncAgentRecord'
        'Export-JCADUserCsv'
        'Import-JCUserFromCsv'
        'Export-JCSyncReport'
        'Invoke-JCSyncRehearsal'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('JumpCloud', 'ActiveDirectory', 'ADI', 'Sync', 'LDAP', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
        }
    }
}
