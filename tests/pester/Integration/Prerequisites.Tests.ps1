# The prerequisite cmdlets against the REAL engine binary and the test domain controller: create the
# service account, see every task missing, grant (after a -WhatIf that changes nothing), see every
# task granted, rotate the password, run the checklist. Two throw-away OUs hold everything.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'jcadi-engine'
    $script:SkipReason = $null
    if (-not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)) {
        $script:SkipReason = 'no test DC (npm run testdc:start)'
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipReason = 'no engine (npm run build)'
    }
    elseif ($null -eq (Get-Command -Name node -CommandType Application -ErrorAction SilentlyContinue)) {
        $script:SkipReason = 'node is not on PATH (the OU fixture needs it)'
    }
    if ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "Prerequisite integration tests skipped: $($script:SkipReason).")
    }
}

Describe 'Prerequisite cmdlets against the test DC' -Tag 'Integration', 'TestDC' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/IntegrationFixture.ps1')
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/AnsweringHost.ps1')
        Initialize-IntegrationFixture -TestDrivePath $TestDrive
        Read-TestDcConnection

        $script:AccountOU = Invoke-SyncFixture -Action 'ou-create' -Request @{ connectionFile = $script:ConnectionFile; prefix = 'jcadi-pester-sa' }
        $script:RootOU = Invoke-SyncFixture -Action 'ou-create' -Request @{ connectionFile = $script:ConnectionFile; prefix = 'jcadi-pester-root' }
        $script:Sam = 'jcp' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:FirstPassword = 'Jc1-' + [guid]::NewGuid().ToString('N').Substring(0, 16) + '!a'
        $script:RotatedPassword = 'Jc2-' + [guid]::NewGuid().ToString('N').Substring(0, 16) + '!b'
        $script:SplatDc = @{
            Server                   = $script:Connection.host
            Port                     = [int]$script:Connection.port
            Credential               = $script:AdminCredential
            CertificateAuthorityFile = $script:Connection.caFile
            TimeoutSeconds           = 15
        }

        Set-TestEnvironment -Values @{ JCADI_ENGINE_PATH = $null }
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name $script:ManifestPath -Force
    }

    AfterAll {
        foreach ($ou in $script:AccountOU, $script:RootOU) {
            if ($null -ne $ou) {
                $null = Invoke-SyncFixture -Action 'ou-delete' -Request @{ connectionFile = $script:ConnectionFile; dn = $ou.dn }
            }
        }
        Clear-IntegrationFixture
    }

    It 'New-JCSyncServiceAccount creates JumpCloud Sync with a password that never expires' {
        $password = ConvertTo-SecureString -String $script:FirstPassword -AsPlainText -Force
        $account = New-JCSyncServiceAccount -Path $script:AccountOU.adiDN -SamAccountName $script:Sam -Password $password @script:SplatDc -Confirm:$false
        $account.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ServiceAccount'
        $account.SamAccountName | Should -BeExactly $script:Sam
        $account.DistinguishedName | Should -BeExactly ('CN=JumpCloud Sync,' + $script:AccountOU.dn)
        $account.PasswordNeverExpires | Should -BeTrue
        $account.Enabled | Should -BeTrue
    }

    It 'Test-JCSyncDelegation: the fresh account misses all five tasks and passes the account rules' {
        $checks = @(Test-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc)
        $tasks = @($checks | Where-Object { $_.Kind -eq 'Task' })
        $tasks.Count | Should -Be 5
        @($tasks | Where-Object { $_.Status -eq 'Missing' }).Count | Should -Be 5
        $tasks[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.DelegationCheck'
        ($tasks | Where-Object { $_.Check -eq 'ResetPasswords' }).Remedy | Should -Match ('Grant-JCSyncDelegation .* -Task ResetPasswords')
        @($checks | Where-Object { $_.Kind -eq 'Account' -and $_.Status -ne 'Pass' }).Count | Should -Be 0
        ($checks | Out-String -Width 200) | Should -Match 'Missing'
    }

    It 'Grant-JCSyncDelegation -WhatIf lists 8 ACEs and changes nothing' {
        $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -RealEngine -ArgumentList $script:RootOU.adiDN, $script:Sam, $script:SplatDc -ScriptBlock {
            param($root, $sam, $splat)
            Grant-JCSyncDelegation -RootUserDN $root -ServiceAccount $sam @splat -WhatIf
        }
        $run.Thrown | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 0
        @($run.HostLines | Where-Object { $_ -like 'What if: Performing the operation "Add the ACE (OA;*' }).Count | Should -Be 8
        @(Test-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc | Where-Object { $_.Status -eq 'Missing' }).Count | Should -Be 5
    }

    It 'Grant-JCSyncDelegation adds the 8 ACEs once; afterwards every task is Granted' {
        $changes = @(Grant-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc -Confirm:$false)
        @($changes | Where-Object { $_.Action -eq 'Added' }).Count | Should -Be 8
        $again = @(Grant-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc -Confirm:$false)
        @($again | Where-Object { $_.Action -eq 'AlreadyPresent' }).Count | Should -Be 8
        $tasks = @(Test-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc | Where-Object { $_.Kind -eq 'Task' })
        @($tasks | ForEach-Object { $_.Status } | Select-Object -Unique) | Should -Be @('Granted')
    }

    It 'Reset-JCSyncServiceAccountPassword sets a new password that binds' {
        $new = ConvertTo-SecureString -String $script:RotatedPassword -AsPlainText -Force
        $rotation = Reset-JCSyncServiceAccountPassword -ServiceAccount $script:Sam -NewPassword $new @script:SplatDc -Confirm:$false
        $rotation.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.ServiceAccountRotation'
        $rotation.ChangedInAD | Should -BeTrue
        $rotation.Verified | Should -BeTrue
        $serviceCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ('{0}@{1}' -f $script:Sam, 'example.com'), $new
        $splat = $script:SplatDc.Clone()
        $splat.Credential = $serviceCredential
        $self = @(Test-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @splat)
        @($self | Where-Object { $_.Kind -eq 'Task' -and $_.Status -eq 'Granted' }).Count | Should -Be 5 -Because 'the account can check itself with its new password'
    }

    It 'Test-JCSyncPrerequisite without a JumpCloud key: AD items pass, JumpCloud items are "Not checked"' {
        $items = @(Test-JCSyncPrerequisite -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc)
        $byItem = @{}
        foreach ($item in $items) {
            $byItem[$item.Item] = $item
        }
        foreach ($id in 'RootDN.Valid', 'DC.Ldaps', 'DC.Bind', 'RootDN.Exists', 'ServiceAccount.Exists', 'ServiceAccount.PasswordNeverExpires', 'Delegation.ResetPasswords', 'Delegation.ModifyGroupMembership') {
            $byItem[$id].Status | Should -BeExactly 'Pass' -Because "$id should pass: $($byItem[$id].Detail)"
        }
        $byItem['JumpCloud.Reachable'].Status | Should -BeExactly 'Warn'
        $byItem['JumpCloud.Reachable'].Detail | Should -Match '^Not checked'
        $items[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.PrerequisiteResult'
        ($items | Out-String -Width 200) | Should -Match 'Delegation'
    }

    It 'never shows a password in any stream' {
        $everything = & {
            Test-JCSyncDelegation -RootUserDN $script:RootOU.adiDN -ServiceAccount $script:Sam @script:SplatDc -Verbose
            $weak = ConvertTo-SecureString -String 'qz7w' -AsPlainText -Force
            try {
                Reset-JCSyncServiceAccountPassword -ServiceAccount $script:Sam -NewPassword $weak @script:SplatDc -Confirm:$false -Verbose
            }
            catch {
                $_
            }
        } *>&1
        @($everything | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0 -Because 'AD refuses the short password'
        $text = ($everything | ForEach-Object { ($_ | Out-String -Width 500) + [string]$_ }) -join "`n"
        foreach ($secret in $script:AdminPassword, $script:FirstPassword, $script:RotatedPassword, 'qz7w') {
            $text | Should -Not -Match ([regex]::Escape($secret))
        }
    }
}
