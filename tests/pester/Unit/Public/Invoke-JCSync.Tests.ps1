BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force

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

    # What the engine answers in these tests: a plan of three operations, or a sync summary.
    $script:PlanRecords = @(
        @{ Operation = 'createUser'; Target = 'ann.lee'; DN = 'CN=ann.lee,OU=Corporate Users,DC=example,DC=com'; Reason = 'new in scope'; Enabled = $true; JumpCloudId = 'a1'; Changes = @(@{ Attribute = 'givenName'; Before = ''; After = 'Ann' }, @{ Attribute = 'sn'; Before = ''; After = 'Lee' }) }
        @{ Operation = 'updateUser'; Target = 'bob.ray'; DN = 'CN=bob.ray,OU=Corporate Users,DC=example,DC=com'; Reason = 'attributes changed in JumpCloud'; Adopt = $false; JumpCloudId = 'b2'; Changes = @(@{ Attribute = 'sn'; Before = 'Lee'; After = 'Married' }) }
        @{ Operation = 'skip'; ObjectType = 'user'; Target = 'cher'; Code = 'MissingName'; DN = $null; Reason = 'no last name in JumpCloud'; JumpCloudId = 'c3'; Changes = @() }
    )
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Invoke-JCSync' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            if ($Command -eq 'sync-plan') {
                foreach ($fields in $script:PlanRecords) {
                    New-PlanRecord -Fields $fields
                }
            }
            else {
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncResult'; Planned = 3; Applied = 2; Failed = 0; Reported = 1 }
            }
        }
    }

    Context 'parameters' {
        It 'has the default parameter set Parameters, where the connection settings live' {
            $command = Get-Command -Name Invoke-JCSync
            $command.DefaultParameterSet | Should -BeExactly 'Parameters'
            foreach ($name in 'Domain', 'RootUserDN', 'Server', 'Credential', 'JumpCloudApiKey') {
                $attributes = Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName $name
                $attributes.Count | Should -Be 1
                $attributes[0].ParameterSetName | Should -BeExactly 'Parameters'
                $attributes[0].Mandatory | Should -BeTrue -Because "-$name is needed to connect"
            }
            foreach ($name in 'Port', 'LdapMode', 'CertificateAuthorityFile', 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk', 'TimeoutSeconds', 'Region', 'JumpCloudUrl', 'OrgId', 'JumpCloudCertificateAuthorityFile', 'JumpCloudTimeoutSeconds') {
                $attributes = Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName $name
                $attributes[0].ParameterSetName | Should -BeExactly 'Parameters' -Because "-$name is a connection setting"
                $attributes[0].Mandatory | Should -BeFalse
            }
            foreach ($name in 'User', 'AdoptExisting', 'Force', 'MaxDisableCount', 'MaxDisablePercent', 'JournalPath') {
                (Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName $name)[0].ParameterSetName | Should -BeExactly '__AllParameterSets' -Because "-$name is not a connection setting"
            }
        }

        It 'takes the API key as a SecureString and the account as a PSCredential' {
            $command = Get-Command -Name Invoke-JCSync
            $command.Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            $command.Parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            foreach ($name in 'AdoptExisting', 'Force', 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk') {
                $command.Parameters[$name].ParameterType | Should -Be ([switch])
            }
        }

        It 'supports ShouldProcess with ConfirmImpact Medium' {
            $binding = (Get-Command -Name Invoke-JCSync).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
            (Get-Command -Name Invoke-JCSync).Parameters.ContainsKey('WhatIf') | Should -BeTrue
        }

        It 'takes -User from the pipeline, by value and by a Username property' {
            $attributes = Get-ParameterInfo -CommandName Invoke-JCSync -ParameterName User
            $attributes[0].ValueFromPipeline | Should -BeTrue
            $attributes[0].ValueFromPipelineByPropertyName | Should -BeTrue
            (Get-Command -Name Invoke-JCSync).Parameters['User'].Aliases | Should -Contain 'Username'
        }

        It 'refuses <Case> before running the engine' -ForEach @(
            @{ Case = 'a region other than US or EU'; Extra = @{ Region = 'APAC' } }
            @{ Case = 'an organization id that is not 24 hex characters'; Extra = @{ OrgId = 'not-an-org' } }
            @{ Case = 'a percentage over 100'; Extra = @{ MaxDisablePercent = 101 } }
            @{ Case = 'a negative count'; Extra = @{ MaxDisableCount = -1 } }
            @{ Case = 'port 0'; Extra = @{ Port = 0 } }
            @{ Case = 'an LDAP mode that does not exist'; Extra = @{ LdapMode = 'Kerberos' } }
            @{ Case = 'a JumpCloud timeout of 0'; Extra = @{ JumpCloudTimeoutSeconds = 0 } }
            @{ Case = 'an empty user'; Extra = @{ User = '' } }
        ) {
            $splat = New-SyncSplat
            { Invoke-JCSync @splat @Extra -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the sync request' {
        It 'runs the engine command sync with the connection blocks and the defaults' {
            $splat = New-SyncSplat
            $result = Invoke-JCSync @splat
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'sync'
            $call.CmdletName | Should -BeExactly 'Invoke-JCSync'
            @($call.Parameters.Keys) | Should -Be @('jumpcloud', 'dc', 'domain', 'rootUserDN', 'adoptExisting', 'force')
            $call.Parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
            $call.Parameters['rootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $call.Parameters['adoptExisting'] | Should -BeFalse
            $call.Parameters['force'] | Should -BeFalse
            $jumpcloud = $call.Parameters['jumpcloud']
            @($jumpcloud.Keys) | Should -Be @('region', 'apiKey', 'timeoutMs')
            $jumpcloud['region'] | Should -BeExactly 'us'
            $jumpcloud['timeoutMs'] | Should -Be 30000
            $dc = $call.Parameters['dc']
            $dc['host'] | Should -BeExactly 'dc1.example.com'
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
            $dc['mode'] | Should -BeExactly 'ldaps'
            $dc['bindDN'] | Should -BeExactly 'jcsync@example.com'
            $dc['timeoutMs'] | Should -Be 10000
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncResult'
            $result.Applied | Should -Be 2
        }

        It 'sends <Switch> as <Key> = <Expected>' -ForEach @(
            @{ Switch = '-User ann.lee'; Extra = @{ User = 'ann.lee' }; Key = 'user'; Expected = 'ann.lee' }
            @{ Switch = '-AdoptExisting'; Extra = @{ AdoptExisting = $true }; Key = 'adoptExisting'; Expected = $true }
            @{ Switch = '-Force'; Extra = @{ Force = $true }; Key = 'force'; Expected = $true }
            @{ Switch = '-MaxDisableCount 3'; Extra = @{ MaxDisableCount = 3 }; Key = 'maxDisableCount'; Expected = 3 }
            @{ Switch = '-MaxDisableCount 0'; Extra = @{ MaxDisableCount = 0 }; Key = 'maxDisableCount'; Expected = 0 }
            @{ Switch = '-MaxDisablePercent 12.5'; Extra = @{ MaxDisablePercent = 12.5 }; Key = 'maxDisablePercent'; Expected = 12.5 }
        ) {
            $splat = New-SyncSplat
            $null = Invoke-JCSync @splat @Extra
            $parameters = $script:EngineCalls[0].Parameters
            $parameters.Contains($Key) | Should -BeTrue
            $parameters[$Key] | Should -Be $Expected
        }

        It 'leaves out user and the thresholds unless given (the engine defaults are 500 and 25 %)' {
            $splat = New-SyncSplat
            $null = Invoke-JCSync @splat
            foreach ($key in 'user', 'maxDisableCount', 'maxDisablePercent', 'journalFile') {
                $script:EngineCalls[0].Parameters.Contains($key) | Should -BeFalse -Because "$key was not given"
            }
        }

        It 'sends -JournalPath as an absolute journalFile (relative to the current location)' {
            $splat = New-SyncSplat
            Push-Location -LiteralPath $TestDrive
            try {
                $null = Invoke-JCSync @splat -JournalPath 'state/journal.jsonl'
            }
            finally {
                Pop-Location
            }
            $expected = Join-Path -Path (Join-Path -Path ((Resolve-Path -LiteralPath $TestDrive).ProviderPath) -ChildPath 'state') -ChildPath 'journal.jsonl'
            $script:EngineCalls[0].Parameters['journalFile'] | Should -BeExactly $expected
        }

        It 'refuses a -JournalPath that is a folder (JournalPath.Invalid)' {
            $splat = New-SyncSplat
            { Invoke-JCSync @splat -JournalPath $TestDrive } | Should -Throw -ErrorId 'JournalPath.Invalid,Invoke-JCSync'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'sends -Region EU as region eu' {
            $splat = New-SyncSplat
            $null = Invoke-JCSync @splat -Region EU
            $script:EngineCalls[0].Parameters['jumpcloud']['region'] | Should -BeExactly 'eu'
        }

        It 'sends -JumpCloudUrl as baseUrl, without a region, with -OrgId, the CA file and the timeout' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'sandbox-ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $splat = New-SyncSplat
            Push-Location -LiteralPath $TestDrive
            try {
                $null = Invoke-JCSync @splat -JumpCloudUrl 'https://127.0.0.1:8443' -OrgId '677b9b90ceee7040f9000001' -JumpCloudCertificateAuthorityFile './sandbox-ca.pem' -JumpCloudTimeoutSeconds 5
            }
            finally {
                Pop-Location
            }
            $jumpcloud = $script:EngineCalls[0].Parameters['jumpcloud']
            @($jumpcloud.Keys) | Should -Be @('baseUrl', 'apiKey', 'orgId', 'caFile', 'timeoutMs')
            $jumpcloud['baseUrl'] | Should -BeExactly 'https://127.0.0.1:8443'
            $jumpcloud['orgId'] | Should -BeExactly '677b9b90ceee7040f9000001'
            $jumpcloud['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $jumpcloud['timeoutMs'] | Should -Be 5000
        }

        It 'sends the DC settings: StartTLS on 389, the CA file, the timeout and the insecure switches' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'dc-ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $splat = New-SyncSplat
            $null = Invoke-JCSync @splat -LdapMode StartTls -CertificateAuthorityFile $caFile -TimeoutSeconds 3
            $null = Invoke-JCSync @splat -LdapMode Ldap -Port 3389 -AllowInsecureLdap -AcknowledgeInsecureLdapRisk
            $dc = $script:EngineCalls[0].Parameters['dc']
            $dc['mode'] | Should -BeExactly 'starttls'
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (389 for starttls and ldap)'
            $dc['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $dc['timeoutMs'] | Should -Be 3000
            $dc['allowInsecure'] | Should -BeFalse
            $dc = $script:EngineCalls[1].Parameters['dc']
            $dc['mode'] | Should -BeExactly 'ldap'
            $dc['port'] | Should -Be 3389
            $dc['allowInsecure'] | Should -BeTrue
            $dc['insecureRiskAcknowledged'] | Should -BeTrue
        }

        It 'runs once per piped user' {
            $splat = New-SyncSplat
            $results = @('ann.lee', 'bob.ray' | Invoke-JCSync @splat)
            $results.Count | Should -Be 2
            @($script:EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync', 'sync')
            @($script:EngineCalls | ForEach-Object { $_.Parameters['user'] }) | Should -Be @('ann.lee', 'bob.ray')
        }
    }

    Context 'secrets' {
        It 'puts the API key only in jumpcloud.apiKey and the password only in dc.bindPassword, as SecureStrings until the bridge' {
            $apiKey = 'Key-' + [guid]::NewGuid().ToString('N')
            $password = 'Pw-' + [guid]::NewGuid().ToString('N')
            $splat = New-SyncSplat -ApiKey $apiKey
            $splat.Credential = New-TestCredential -UserName 'jcsync@example.com' -Password $password
            $null = Invoke-JCSync @splat -User 'ann.lee' -Force
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $parameters['dc']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            Get-PlainText -SecureString $parameters['jumpcloud']['apiKey'] | Should -BeExactly $apiKey
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($apiKey))).Count | Should -Be 1
            ([regex]::Matches($json, [regex]::Escape($password))).Count | Should -Be 1
            $request = $json | ConvertFrom-Json
            $request.jumpcloud.apiKey | Should -BeExactly $apiKey
            $request.dc.bindPassword | Should -BeExactly $password
        }
    }

    Context 'JumpCloud endpoint' {
        It 'refuses -JumpCloudUrl together with -Region (JumpCloudUrl.RegionConflict)' {
            $splat = New-SyncSplat
            { Invoke-JCSync @splat -JumpCloudUrl 'https://127.0.0.1:8443' -Region US } | Should -Throw -ErrorId 'JumpCloudUrl.RegionConflict,Invoke-JCSync'
            { Invoke-JCSync @splat -JumpCloudUrl 'https://127.0.0.1:8443' -Region EU -WhatIf } | Should -Throw -ErrorId 'JumpCloudUrl.RegionConflict,Invoke-JCSync'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses the -JumpCloudUrl <Url> (JumpCloudUrl.Invalid)' -ForEach @(
            @{ Url = 'http://127.0.0.1:8443' }
            @{ Url = 'console.jumpcloud.com' }
            @{ Url = 'https://admin:secret@console.jumpcloud.com' }
            @{ Url = 'https://console.jumpcloud.com/?x=1' }
        ) {
            $splat = New-SyncSplat
            { Invoke-JCSync @splat -JumpCloudUrl $Url } | Should -Throw -ErrorId 'JumpCloudUrl.Invalid,Invoke-JCSync'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses a missing -JumpCloudCertificateAuthorityFile (JumpCloudCertificateAuthorityFile.NotFound)' {
            $splat = New-SyncSplat
            { Invoke-JCSync @splat -JumpCloudUrl 'https://127.0.0.1:8443' -JumpCloudCertificateAuthorityFile (Join-Path -Path $TestDrive -ChildPath 'missing.pem') } | Should -Throw -ErrorId 'JumpCloudCertificateAuthorityFile.NotFound,Invoke-JCSync'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context '-WhatIf' {
        BeforeAll {
            # ShouldProcess writes "What if:" lines to the host: these tests run the cmdlet on a
            # host that keeps them (and keeps them out of the test output).
            $script:PlanOutput = @{ 'sync-plan' = @($script:PlanRecords | ForEach-Object { $_ + @{ RecordType = 'JumpCloudADI.SyncPlanOperation' } }) }
        }

        It 'plans with sync-plan, never runs sync, and writes nothing to the pipeline' {
            $journal = Join-Path -Path $TestDrive -ChildPath 'j.jsonl'
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -EngineOutput $script:PlanOutput -ArgumentList (New-SyncSplat), $journal -ScriptBlock {
                param($splat, $journal)
                Invoke-JCSync @splat -WhatIf -JournalPath $journal
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Output.Count | Should -Be 0
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync-plan')
            $parameters = $run.EngineCalls[0].Parameters
            @($parameters.Keys) | Should -Be @('jumpcloud', 'dc', 'domain', 'rootUserDN', 'adoptExisting', 'force')
            Test-Path -LiteralPath $journal | Should -BeFalse
        }

        It 'prints one "What if:" line per planned operation, with the changes and the reason, and warns about skips' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -EngineOutput $script:PlanOutput -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                Invoke-JCSync @splat -WhatIf
            }
            $run.Thrown | Should -BeNullOrEmpty
            $whatIf = @($run.HostLines | Where-Object { $_ -like 'What if:*' })
            $whatIf.Count | Should -Be 2 -Because 'two operations change AD; the skip is a warning'
            $whatIf[0] | Should -BeExactly 'What if: Performing the operation "Create user" on target "ann.lee at CN=ann.lee,OU=Corporate Users,DC=example,DC=com: givenName: ''Ann''; sn: ''Lee'' (new in scope)".'
            $whatIf[1] | Should -BeExactly 'What if: Performing the operation "Update user" on target "bob.ray at CN=bob.ray,OU=Corporate Users,DC=example,DC=com: sn: ''Lee'' -> ''Married'' (attributes changed in JumpCloud)".'
            $run.Warnings | Should -Be @('Would skip user cher: no last name in JumpCloud (MissingName)')
            $run.Prompts.Count | Should -Be 0
        }

        It 'sends the same options to the plan (-Force too, so the threshold warning matches the run)' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                Invoke-JCSync @splat -WhatIf -User 'ann.lee' -AdoptExisting -Force -MaxDisableCount 7 -MaxDisablePercent 10
            }
            $run.Thrown | Should -BeNullOrEmpty
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync-plan')
            $parameters = $run.EngineCalls[0].Parameters
            $parameters['user'] | Should -BeExactly 'ann.lee'
            $parameters['adoptExisting'] | Should -BeTrue
            $parameters['force'] | Should -BeTrue
            $parameters['maxDisableCount'] | Should -Be 7
            $parameters['maxDisablePercent'] | Should -Be 10
        }

        It 'also only plans when the session''s $WhatIfPreference is on' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -EngineOutput $script:PlanOutput -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                $global:WhatIfPreference = $true
                Invoke-JCSync @splat
            }
            $run.Thrown | Should -BeNullOrEmpty
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync-plan')
            @($run.HostLines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 2
        }

        It 'says so (verbose) when there is nothing to do' {
            $splat = New-SyncSplat
            Mock -ModuleName JumpCloudADI InvokeJCEngine { }
            $verbose = @(Invoke-JCSync @splat -WhatIf -Verbose 4>&1)
            ($verbose | Out-String) | Should -Match 'Nothing to do'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly -ParameterFilter { $Command -eq 'sync-plan' }
        }
    }

    Context '-Confirm' {
        It 'declining does nothing: no engine run, no output' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                Invoke-JCSync @splat -Confirm
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 1
            $run.Prompts[0] | Should -Match 'Sync from JumpCloud'
            $run.Prompts[0] | Should -Match 'ADI domain DC=example;DC=com into OU=Corporate Users;DC=example;DC=com on dc1\.example\.com'
            $run.EngineCalls.Count | Should -Be 0
            $run.Output.Count | Should -Be 0
        }

        It 'accepting runs sync once and returns its result' {
            $engineOutput = @{ sync = @(@{ RecordType = 'JumpCloudADI.SyncResult'; Applied = 5; Failed = 0 }) }
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer Yes -EngineOutput $engineOutput -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                Invoke-JCSync @splat -User 'ann.lee' -Confirm
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 1
            $run.Prompts[0] | Should -Match 'JumpCloud user ann\.lee'
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync')
            $run.Output.Count | Should -Be 1
            $run.Output[0].Applied | Should -Be 5
        }

        It '-Confirm:$false runs without asking, even when $ConfirmPreference is Low' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                $ConfirmPreference = 'Low'
                Invoke-JCSync @splat -Confirm:$false
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 0
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('sync')
        }

        It 'asks when $ConfirmPreference is Medium (ConfirmImpact Medium), not at the default High' {
            $atMedium = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                $ConfirmPreference = 'Medium'
                Invoke-JCSync @splat
            }
            $atMedium.Prompts.Count | Should -Be 1
            $atMedium.EngineCalls.Count | Should -Be 0
            $atHigh = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-SyncSplat) -ScriptBlock {
                param($splat)
                $ConfirmPreference = 'High'
                Invoke-JCSync @splat
            }
            $atHigh.Prompts.Count | Should -Be 0
            $atHigh.EngineCalls.Count | Should -Be 1
        }
    }

    Context 'errors' {
        It 'lets Sync.ThresholdExceeded through as a terminating error of the cmdlet' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'The plan disables 600 users, over the limit of 500.'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Sync.ThresholdExceeded', ([System.Management.Automation.ErrorCategory]::LimitsExceeded), 'OU=Corporate Users,DC=example,DC=com'
                $Cmdlet.ThrowTerminatingError($record)
            }
            $splat = New-SyncSplat
            { Invoke-JCSync @splat } | Should -Throw -ErrorId 'Sync.ThresholdExceeded,Invoke-JCSync'
        }

        It 'writes per-object failures as non-terminating errors and still returns the result' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'The password does not meet the complexity rules.'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'AD.PasswordRejected', ([System.Management.Automation.ErrorCategory]::InvalidData), 'ann.lee'
                $Cmdlet.WriteError($record)
                [pscustomobject]@{ PSTypeName = 'JumpCloudADI.SyncResult'; Applied = 4; Failed = 1 }
            }
            $splat = New-SyncSplat
            $result = Invoke-JCSync @splat -ErrorVariable failures -ErrorAction SilentlyContinue
            $result.Failed | Should -Be 1
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeExactly 'AD.PasswordRejected,Invoke-JCSync'
        }
    }
}
