BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    function New-SyncSplat {
        param([string] $ApiKey = ('Key-' + [guid]::NewGuid().ToString('N')))
        return @{
            Domain          = 'DC=example;DC=com'
            RootUserDN      = 'OU=Corporate Users;DC=example;DC=com'
            Server          = 'dc1.example.com'
            Credential      = (New-TestCredential -UserName 'jcsync@example.com')
            JumpCloudApiKey = (ConvertTo-SecureString -String $ApiKey -AsPlainText -Force)
        }
    }

    function New-PlanRecord {
        param([hashtable] $Fields)
        $record = [pscustomobject]$Fields
        $record.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SyncPlanOperation')
        return $record
    }

    # One record of each shape the engine writes (engine/src/cli/commands/sync.ts, planRecord).
    $script:PlanRecords = @(
        @{ Operation = 'createGroup'; Target = 'Sales'; DN = 'CN=Sales,OU=Corporate Users,DC=example,DC=com'; Reason = 'user group newly bound to the ADI domain'; JumpCloudId = 'g1'; Changes = @(@{ Attribute = 'description'; Before = ''; After = 'Sales team' }) }
        @{ Operation = 'createUser'; Target = 'ann.lee'; DN = 'CN=ann.lee,OU=Corporate Users,DC=example,DC=com'; Reason = 'new in scope'; Enabled = $true; JumpCloudId = 'a1'; Changes = @(@{ Attribute = 'givenName'; Before = ''; After = 'Ann' }, @{ Attribute = 'sn'; Before = ''; After = 'Lee' }) }
        @{ Operation = 'updateUser'; Target = 'bob.ray'; DN = 'CN=bob.ray,OU=Corporate Users,DC=example,DC=com'; Reason = 'attributes changed in JumpCloud'; Adopt = $false; JumpCloudId = 'b2'; Changes = @(@{ Attribute = 'sn'; Before = 'Lee'; After = 'Married' }, @{ Attribute = 'mail'; Before = ''; After = 'bob@example.com' }) }
        @{ Operation = 'renameUser'; Target = 'carl.new'; DN = 'CN=carl.old,OU=Corporate Users,DC=example,DC=com'; NewDN = 'CN=carl.new,OU=Corporate Users,DC=example,DC=com'; Reason = 'username changed in JumpCloud from ''carl.old'''; JumpCloudId = 'c1'; Changes = @() }
        @{ Operation = 'disableUser'; Target = 'dan.out'; DN = 'CN=dan.out,OU=Corporate Users,DC=example,DC=com'; Reason = 'suspended in JumpCloud'; JumpCloudId = 'd1'; Changes = @() }
        @{ Operation = 'addMember'; Target = 'ann.lee'; Group = 'Sales'; DN = 'CN=ann.lee,OU=Corporate Users,DC=example,DC=com'; GroupDN = 'CN=Sales,OU=Corporate Users,DC=example,DC=com'; Reason = 'member in JumpCloud'; JumpCloudId = $null; Changes = @() }
        @{ Operation = 'skip'; ObjectType = 'user'; Target = 'cher'; Code = 'MissingName'; DN = $null; Reason = 'no last name in JumpCloud'; JumpCloudId = 'e1'; Changes = @() }
    )
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Get-JCSyncPlan' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            foreach ($fields in $script:PlanRecords) {
                New-PlanRecord -Fields $fields
            }
        }
    }

    Context 'parameters' {
        It 'has the same connection parameters as Invoke-JCSync, in the default set Parameters' {
            $plan = Get-Command -Name Get-JCSyncPlan
            $sync = Get-Command -Name Invoke-JCSync
            $plan.DefaultParameterSet | Should -BeExactly 'Parameters'
            $connection = @($sync.Parameters.Keys | Where-Object { (Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName $_)[0].ParameterSetName -eq 'Parameters' })
            $connection.Count | Should -Be 18
            foreach ($name in $connection) {
                $plan.Parameters.ContainsKey($name) | Should -BeTrue -Because "-$name connects Invoke-JCSync too"
                $plan.Parameters[$name].ParameterType | Should -Be $sync.Parameters[$name].ParameterType
                $attributes = Get-ParameterInfo -CommandName Get-JCSyncPlan -ParameterName $name
                $attributes[0].ParameterSetName | Should -BeExactly 'Parameters'
                $attributes[0].Mandatory | Should -Be (Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName $name)[0].Mandatory
            }
        }

        It 'plans only: no -WhatIf, -Force or -JournalPath' {
            $plan = Get-Command -Name Get-JCSyncPlan
            foreach ($name in 'WhatIf', 'Confirm', 'Force', 'JournalPath') {
                $plan.Parameters.ContainsKey($name) | Should -BeFalse -Because "Get-JCSyncPlan never writes (-$name)"
            }
            foreach ($name in 'User', 'AdoptExisting', 'MaxDisableCount', 'MaxDisablePercent') {
                $plan.Parameters.ContainsKey($name) | Should -BeTrue
            }
        }

        It 'refuses -JumpCloudUrl together with -Region before running the engine' {
            $splat = New-SyncSplat
            { Get-JCSyncPlan @splat -JumpCloudUrl 'https://127.0.0.1:8443' -Region EU } | Should -Throw -ErrorId 'JumpCloudUrl.RegionConflict,Get-JCSyncPlan'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses a missing domain controller CA file before running the engine' {
            $splat = New-SyncSplat
            { Get-JCSyncPlan @splat -CertificateAuthorityFile (Join-Path -Path $TestDrive -ChildPath 'nope.pem') } | Should -Throw -ErrorId 'CertificateAuthorityFile.NotFound,Get-JCSyncPlan'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the sync-plan request' {
        It 'runs sync-plan with the connection blocks, without force or a journal' {
            $splat = New-SyncSplat
            $null = Get-JCSyncPlan @splat
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'sync-plan'
            $call.CmdletName | Should -BeExactly 'Get-JCSyncPlan'
            @($call.Parameters.Keys) | Should -Be @('jumpcloud', 'dc', 'domain', 'rootUserDN', 'adoptExisting')
            $call.Parameters['adoptExisting'] | Should -BeFalse
            $call.Parameters['jumpcloud']['region'] | Should -BeExactly 'us'
            $call.Parameters['dc'].Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
        }

        It 'sends -User, -AdoptExisting and the thresholds' {
            $splat = New-SyncSplat
            $null = Get-JCSyncPlan @splat -User 'ann.lee' -AdoptExisting -MaxDisableCount 10 -MaxDisablePercent 5
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['user'] | Should -BeExactly 'ann.lee'
            $parameters['adoptExisting'] | Should -BeTrue
            $parameters['maxDisableCount'] | Should -Be 10
            $parameters['maxDisablePercent'] | Should -Be 5
        }

        It 'sends -AnchorKey as a SecureString only the bridge reveals, and nothing when it is not given' {
            $splat = New-SyncSplat
            $null = Get-JCSyncPlan @splat
            $script:EngineCalls[0].Parameters.Contains('anchorKey') | Should -BeFalse
            $key = New-JCSyncAnchorKey
            $null = Get-JCSyncPlan @splat -AnchorKey $key
            $parameters = $script:EngineCalls[1].Parameters
            $parameters['anchorKey'] | Should -BeOfType [System.Security.SecureString]
            (ConvertTo-RequestJson -Parameters $parameters) | Should -Match ('"anchorKey":"' + [regex]::Escape((Get-PlainText -SecureString $key)) + '"')
        }

        It 'sends -JumpCloudUrl as baseUrl and the API key as a SecureString only the bridge reveals' {
            $apiKey = 'Key-' + [guid]::NewGuid().ToString('N')
            $password = 'Pw-' + [guid]::NewGuid().ToString('N')
            $splat = New-SyncSplat -ApiKey $apiKey
            $splat.Credential = New-TestCredential -UserName 'jcsync@example.com' -Password $password
            $null = Get-JCSyncPlan @splat -JumpCloudUrl 'https://127.0.0.1:8443'
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['jumpcloud']['baseUrl'] | Should -BeExactly 'https://127.0.0.1:8443'
            $parameters['jumpcloud'].Contains('region') | Should -BeFalse
            $parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $parameters['dc']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($apiKey))).Count | Should -Be 1
            ([regex]::Matches($json, [regex]::Escape($password))).Count | Should -Be 1
        }

        It 'plans once per piped user' {
            $splat = New-SyncSplat
            $null = 'ann.lee', 'bob.ray' | Get-JCSyncPlan @splat
            @($script:EngineCalls | ForEach-Object { $_.Parameters['user'] }) | Should -Be @('ann.lee', 'bob.ray')
        }

        It 'writes the plan records to the pipeline in order, typed JumpCloudADI.SyncPlanOperation' {
            $splat = New-SyncSplat
            $plan = @(Get-JCSyncPlan @splat)
            $plan.Count | Should -Be $script:PlanRecords.Count
            @($plan | ForEach-Object { $_.Operation }) | Should -Be @($script:PlanRecords | ForEach-Object { $_.Operation })
            foreach ($operation in $plan) {
                $operation.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncPlanOperation'
            }
        }
    }

    Context 'views' {
        BeforeAll {
            $script:Plan = @($script:PlanRecords | ForEach-Object { New-PlanRecord -Fields $_ })
        }

        It 'has a table view first and a list view for SyncPlanOperation and SyncResult' {
            foreach ($typeName in 'JumpCloudADI.SyncPlanOperation', 'JumpCloudADI.SyncResult') {
                $views = @((Get-FormatData -TypeName $typeName).FormatViewDefinition)
                $views.Count | Should -Be 2
                $views[0].Control.GetType().Name | Should -Be 'TableControl'
                $views[1].Control.GetType().Name | Should -Be 'ListControl'
            }
        }

        It 'shows the plan as a table of Operation, Target, Reason and Changes' {
            $lines = @(($script:Plan | Format-Table | Out-String -Width 250) -split '\r?\n' | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^Operation\s+Target\s+Reason\s+Changes\s*$'
            $lines.Count | Should -Be ($script:Plan.Count + 2)
        }

        It 'writes the change of <Operation> as <Text>' -ForEach @(
            @{ Operation = 'createGroup'; Text = "description: 'Sales team'" }
            @{ Operation = 'createUser'; Text = "givenName: 'Ann'; sn: 'Lee'" }
            @{ Operation = 'updateUser'; Text = "sn: 'Lee' -> 'Married'; mail: '' -> 'bob@example.com'" }
            @{ Operation = 'renameUser'; Text = '-> CN=carl.new,OU=Corporate Users,DC=example,DC=com' }
            @{ Operation = 'disableUser'; Text = 'enabled -> disabled' }
            @{ Operation = 'addMember'; Text = '+ member of Sales' }
            @{ Operation = 'skip'; Text = 'skipped (MissingName)' }
        ) {
            $record = $script:Plan | Where-Object { $_.Operation -eq $Operation }
            $row = @(($record | Format-Table | Out-String -Width 250) -split '\r?\n' | Where-Object { $_.Trim() })[2]
            $row | Should -Match ('^{0}\s' -f [regex]::Escape($Operation))
            $row.TrimEnd() | Should -Match ('{0}$' -f [regex]::Escape($Text))
        }

        It 'matches the text of the What-if lines (FormatJCChangeText)' {
            $module = Get-Module -Name JumpCloudADI
            $update = $script:Plan | Where-Object { $_.Operation -eq 'updateUser' }
            $text = & $module { param($operation) FormatJCChangeText -Operation $operation } $update
            ($update | Format-Table | Out-String -Width 250) | Should -Match ([regex]::Escape($text))
        }

        It 'lists every field with one change a line in the list view' {
            $update = $script:Plan | Where-Object { $_.Operation -eq 'updateUser' }
            $text = $update | Format-List | Out-String -Width 250
            $text | Should -Match 'Operation\s+: updateUser'
            $text | Should -Match 'DN\s+: CN=bob\.ray,OU=Corporate Users,DC=example,DC=com'
            $text | Should -Match 'Adopt\s+: False'
            $text | Should -Match "Changes\s+: sn: 'Lee' -> 'Married'\r?\n\s+mail: '' -> 'bob@example\.com'"
            $text | Should -Not -Match 'NewDN' -Because 'fields the record does not carry are left out'
            $rename = $script:Plan | Where-Object { $_.Operation -eq 'renameUser' }
            ($rename | Format-List | Out-String -Width 250) | Should -Match 'NewDN\s+: CN=carl\.new'
        }

        It 'shows the sync result as a table, and its counts by operation in the list view' {
            $result = [pscustomobject]@{
                Domain = 'DC=example;DC=com'; RootUserDN = 'OU=Corporate Users,DC=example,DC=com'; Planned = 7; Applied = 5; Failed = 1; Reported = 1; Interrupted = $false
                ByOperation = [pscustomobject]@{ createUser = '1 applied, 0 failed'; updateUser = '0 applied, 1 failed' }; DurationSeconds = 1.5; JournalFile = '/var/lib/j.jsonl'; Run = 'abc123'
            }
            $result.PSObject.TypeNames.Insert(0, 'JumpCloudADI.SyncResult')
            $lines = @(($result | Format-Table | Out-String -Width 250) -split '\r?\n' | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^Domain\s+RootUserDN\s+Planned\s+Applied\s+Failed\s+Reported\s+Interrupted\s+Seconds\s*$'
            $lines[2] | Should -Match '^DC=example;DC=com\s+OU=Corporate Users,DC=example,DC=com\s+7\s+5\s+1\s+1\s+False\s+1\.5\s*$'
            $list = $result | Format-List | Out-String -Width 250
            $list | Should -Match 'ByOperation\s+: createUser: 1 applied, 0 failed\r?\n\s+updateUser: 0 applied, 1 failed'
            $list | Should -Match 'JournalFile\s+: /var/lib/j\.jsonl'
        }
    }
}
