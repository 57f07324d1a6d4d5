# Invoke-JCSync and Get-JCSyncPlan end to end: the module → the REAL engine (build/jcadi-engine)
# → a JumpCloud sandbox process (started here, empty org, its own CA) and the test domain
# controller (Samba AD over LDAPS, a random OU made here and removed afterwards).
# The sandbox's admin surface and the OU are driven by tests/pester/Helpers/SyncFixture.mjs
# (node, trusting the sandbox CA and the test CA: TLS verification stays on).

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'jcadi-engine'

    $script:SkipReason = $null
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $script:SkipReason = 'the engine wrapper that records argv is a /bin/sh script'
    }
    elseif (-not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)) {
        $script:SkipReason = "no test DC ($dcFolder/connection.json; start it with 'npm run testdc:start')"
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipReason = "no engine ($enginePath; build it with 'npm run build')"
    }
    elseif ($null -eq (Get-Command -Name node -CommandType Application -ErrorAction SilentlyContinue)) {
        $script:SkipReason = 'node is not on PATH (the fixture helper needs it)'
    }
    if ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "Sync integration tests skipped: $script:SkipReason.")
    }
}

Describe 'Invoke-JCSync and Get-JCSyncPlan against the sandbox and the test DC' -Tag 'Integration', 'TestDC' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/IntegrationFixture.ps1')
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/AnsweringHost.ps1')
        Initialize-IntegrationFixture -TestDrivePath $TestDrive
        Read-TestDcConnection
        function Get-OUContent {
            return (Invoke-SyncFixture -Action 'ou-read' -Request @{ connectionFile = $script:ConnectionFile; dn = $script:OU.dn })
        }

        # Engine runs go through a wrapper that records its argv and environment, then execs the
        # real engine; the engine's log and default journal go under TestDrive.
        $wrapper = New-RecordingEngine
        Set-TestEnvironment -Values @{ JCADI_ENGINE_PATH = $wrapper; JCADI_STATE_DIR = (Join-Path -Path $script:Work -ChildPath 'state'); JCADI_LOG_FILE = $null }
        Start-TestSandbox

        # JumpCloud side: the ADI domain, a bound group with two members, a directly bound user.
        # Names are random: sAMAccountName is unique in the whole domain, other tests share it.
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $script:Names = @{
            Group = "PS-Sales-$tag"
            Ann   = "ps$tag.ann"
            Bob   = "ps$tag.bob"
            Cy    = "ps$tag.cy"
            Dee   = "ps$tag.dee"
            Eve   = "ps$tag.eve"
        }
        $null = Invoke-SandboxAdmin -Calls @(
            @{ method = 'POST'; path = '/domains'; body = @{ domain = 'DC=example;DC=com' } }
            @{ method = 'POST'; path = '/groups'; body = @{ name = $script:Names.Group; description = 'Sales team'; bindToDomain = 'DC=example;DC=com' } }
            @{ method = 'POST'; path = '/users'; body = @{ username = $script:Names.Ann; email = "$($script:Names.Ann)@example.com"; firstname = 'Ann'; lastname = 'Lee'; groups = @($script:Names.Group) } }
            @{ method = 'POST'; path = '/users'; body = @{ username = $script:Names.Bob; email = "$($script:Names.Bob)@example.com"; firstname = 'Bob'; lastname = 'Ray'; groups = @($script:Names.Group) } }
            @{ method = 'POST'; path = '/users'; body = @{ username = $script:Names.Cy; email = "$($script:Names.Cy)@example.com"; firstname = 'Cy'; lastname = 'Young'; bindToDomain = 'DC=example;DC=com' } }
        )

        # AD side: a throw-away OU as the root user container.
        $null = New-TestOU -Prefix 'jcadi-pester-sync'

        $script:SplatSync = @{
            Domain                            = 'DC=example;DC=com'
            RootUserDN                        = $script:OU.adiDN
            Server                            = $script:Connection.host
            Port                              = [int]$script:Connection.port
            Credential                        = $script:AdminCredential
            CertificateAuthorityFile          = $script:Connection.caFile
            JumpCloudUrl                      = $script:Sandbox.url
            JumpCloudCertificateAuthorityFile = $script:Sandbox.caFile
            JumpCloudApiKey                   = $script:ApiKey
        }
        $script:JournalPath = Join-Path -Path $script:Work -ChildPath 'journal.jsonl'

        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name $script:ManifestPath -Force
    }

    AfterAll {
        Clear-IntegrationFixture
    }

    It 'Get-JCSyncPlan shows the group, the three users and the memberships to create, and writes nothing' {
        $plan = @(Get-JCSyncPlan @script:SplatSync)
        foreach ($operation in $plan) {
            $operation.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncPlanOperation'
        }
        @($plan | Where-Object Operation -EQ 'createGroup' | ForEach-Object Target) | Should -Be @($script:Names.Group)
        @($plan | Where-Object Operation -EQ 'createUser' | ForEach-Object Target | Sort-Object) | Should -Be @($script:Names.Ann, $script:Names.Bob, $script:Names.Cy)
        @($plan | Where-Object Operation -EQ 'addMember' | ForEach-Object Target | Sort-Object) | Should -Be @($script:Names.Ann, $script:Names.Bob)
        $plan.Count | Should -Be 6
        $ann = $plan | Where-Object { $_.Operation -eq 'createUser' -and $_.Target -eq $script:Names.Ann }
        $ann.DN | Should -BeExactly ('CN={0},{1}' -f $script:Names.Ann, $script:OU.dn)
        ($ann | Format-Table | Out-String -Width 400) | Should -Match "givenName: 'Ann'; sn: 'Lee'"
        $content = Get-OUContent
        @($content.users).Count + @($content.groups).Count | Should -Be 0
    }

    It 'Invoke-JCSync -WhatIf prints the plan as "What if:" lines and writes nothing' {
        $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -RealEngine -ArgumentList $script:SplatSync, $script:JournalPath -ScriptBlock {
            param($splat, $journal)
            Invoke-JCSync @splat -JournalPath $journal -WhatIf
        }
        $run.Thrown | Should -BeNullOrEmpty
        @($run.Errors).Count | Should -Be 0
        $run.Output.Count | Should -Be 0
        $whatIf = @($run.HostLines | Where-Object { $_ -like 'What if: *' })
        $whatIf.Count | Should -Be 6
        ($whatIf -join "`n") | Should -Match ('"Create user" on target "{0} at CN={0},' -f [regex]::Escape($script:Names.Cy))
        ($whatIf -join "`n") | Should -Match ('"Add group member" on target "{0} to group {1}' -f [regex]::Escape($script:Names.Ann), [regex]::Escape($script:Names.Group))
        $content = Get-OUContent
        @($content.users).Count + @($content.groups).Count | Should -Be 0
        Test-Path -LiteralPath $script:JournalPath | Should -BeFalse
    }

    It 'Invoke-JCSync creates the users and the group in AD and returns the summary' {
        $result = Invoke-JCSync @script:SplatSync -JournalPath $script:JournalPath -Confirm:$false
        @($result).Count | Should -Be 1
        $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.SyncResult'
        $result.Planned | Should -Be 6
        $result.Applied | Should -Be 6
        $result.Failed | Should -Be 0
        $result.Interrupted | Should -BeFalse
        $result.JournalFile | Should -BeExactly $script:JournalPath
        ($result | Format-Table | Out-String -Width 300) | Should -Match '\s6\s+6\s+0\s+0\s+False'
        Test-Path -LiteralPath $script:JournalPath | Should -BeTrue

        $content = Get-OUContent
        @($content.users | ForEach-Object sAMAccountName | Sort-Object) | Should -Be @($script:Names.Ann, $script:Names.Bob, $script:Names.Cy)
        @($content.users | Where-Object disabled).Count | Should -Be 0
        ($content.users | Where-Object sAMAccountName -EQ $script:Names.Ann).sn | Should -BeExactly 'Lee'
        $group = $content.groups | Where-Object cn -EQ $script:Names.Group
        @($group.members).Count | Should -Be 2
    }

    It 'Invoke-JCSync -User provisions one user on demand and leaves the others for the next run' {
        $null = Invoke-SandboxAdmin -Calls @(
            @{ method = 'POST'; path = '/users'; body = @{ username = $script:Names.Dee; email = "$($script:Names.Dee)@example.com"; firstname = 'Dee'; lastname = 'Park'; bindToDomain = 'DC=example;DC=com' } }
            @{ method = 'POST'; path = '/users'; body = @{ username = $script:Names.Eve; email = "$($script:Names.Eve)@example.com"; firstname = 'Eve'; lastname = 'Stone'; bindToDomain = 'DC=example;DC=com' } }
        )
        $result = Invoke-JCSync @script:SplatSync -User $script:Names.Dee -JournalPath $script:JournalPath
        $result.Applied | Should -Be 1
        $names = @((Get-OUContent).users | ForEach-Object sAMAccountName)
        $names | Should -Contain $script:Names.Dee
        $names | Should -Not -Contain $script:Names.Eve
    }

    It 'Get-JCSyncPlan shows a changed last name as a diff; after the sync the plan is empty' {
        $null = Invoke-SandboxAdmin -Calls @(@{ method = 'PATCH'; path = "/users/$($script:Names.Ann)"; body = @{ lastname = 'Married' } })
        $plan = @(Get-JCSyncPlan @script:SplatSync)
        @($plan | ForEach-Object { '{0} {1}' -f $_.Operation, $_.Target } | Sort-Object) | Should -Be @(('createUser {0}' -f $script:Names.Eve), ('updateUser {0}' -f $script:Names.Ann))
        $update = $plan | Where-Object Operation -EQ 'updateUser'
        ($update.Changes | Where-Object Attribute -EQ 'sn').Before | Should -BeExactly 'Lee'
        ($update | Format-Table | Out-String -Width 400) | Should -Match "sn: 'Lee' -> 'Married'"

        $result = Invoke-JCSync @script:SplatSync -JournalPath $script:JournalPath
        $result.Applied | Should -Be 2
        ((Get-OUContent).users | Where-Object sAMAccountName -EQ $script:Names.Ann).sn | Should -BeExactly 'Married'
        @(Get-JCSyncPlan @script:SplatSync).Count | Should -Be 0 -Because 'a second plan after a sync is empty'
    }

    It 'refuses a run over the safety threshold (Sync.ThresholdExceeded) and applies it with -Force' {
        $null = Invoke-SandboxAdmin -Calls @(@{ method = 'POST'; path = '/domains/DC=example;DC=com/bindings'; body = @{ op = 'remove'; type = 'user'; target = $script:Names.Cy } })
        $caught = $null
        try {
            Invoke-JCSync @script:SplatSync -JournalPath $script:JournalPath -MaxDisableCount 0
        }
        catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -BeExactly 'Sync.ThresholdExceeded,Invoke-JCSync'
        $caught.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::LimitsExceeded)
        ((Get-OUContent).users | Where-Object sAMAccountName -EQ $script:Names.Cy).disabled | Should -BeFalse

        $result = Invoke-JCSync @script:SplatSync -JournalPath $script:JournalPath -MaxDisableCount 0 -Force
        $result.Applied | Should -Be 1
        ((Get-OUContent).users | Where-Object sAMAccountName -EQ $script:Names.Cy).disabled | Should -BeTrue -Because 'out of scope: disabled, not deleted'
    }

    It 'never shows the API key or the password in any stream, argv, environment, log or journal' {
        $wrongKey = 'WrongKey-' + [guid]::NewGuid().ToString('N')
        $wrongPassword = 'Wrong-' + [guid]::NewGuid().ToString('N')
        $splatWrongKey = $script:SplatSync.Clone()
        $splatWrongKey.JumpCloudApiKey = ConvertTo-SecureString -String $wrongKey -AsPlainText -Force
        $splatWrongPassword = $script:SplatSync.Clone()
        $splatWrongPassword.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $script:Connection.adminUPN, (ConvertTo-SecureString -String $wrongPassword -AsPlainText -Force)

        $everything = & {
            Get-JCSyncPlan @script:SplatSync -Verbose
            Invoke-JCSync @script:SplatSync -JournalPath $script:JournalPath -Verbose
            foreach ($splat in $splatWrongKey, $splatWrongPassword) {
                try {
                    Get-JCSyncPlan @splat -Verbose
                }
                catch {
                    $_
                }
            }
        } *>&1

        $errors = @($everything | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        @($errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) | Should -Be @('JumpCloud.AuthFailed', 'AD.BindFailed')
        @($everything | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0 -Because 'the check must see verbose output'
        $texts = New-Object -TypeName System.Collections.Generic.List[string]
        foreach ($item in $everything) {
            $texts.Add(($item | Out-String -Width 500))
            if ($item -is [System.Management.Automation.ErrorRecord]) {
                $texts.Add($item.Exception.ToString())
                $texts.Add([string]$item.ErrorDetails)
                $texts.Add([string]$item.TargetObject)
            }
            elseif ($item -is [System.Management.Automation.InformationalRecord]) {
                $texts.Add($item.Message)
            }
            else {
                $texts.Add(($item | ConvertTo-Json -Depth 6 -Compress))
            }
        }
        $wrapperFolder = Split-Path -Path $script:Wrapper -Parent
        $argv = @(Get-Content -LiteralPath (Join-Path -Path $wrapperFolder -ChildPath 'argv.txt'))
        $argv.Count | Should -BeGreaterThan 5 -Because 'every engine run of this file went through the wrapper'
        @($argv | Sort-Object -Unique) | Should -Be @('exec')
        $files = @(
            Get-Item -LiteralPath (Join-Path -Path $wrapperFolder -ChildPath 'env.txt')
            Get-Item -LiteralPath $script:JournalPath
            Get-ChildItem -LiteralPath $env:JCADI_STATE_DIR -Recurse -File
        )
        @($files | Where-Object { $_.FullName -like '*engine.log' }).Count | Should -BeGreaterThan 0 -Because 'the engine log is checked too'
        foreach ($file in $files) {
            $texts.Add([System.IO.File]::ReadAllText($file.FullName))
        }
        $allText = $texts -join "`n"
        foreach ($secret in $script:ApiKeyText, $script:AdminPassword, $wrongKey, $wrongPassword) {
            $allText.Contains($secret) | Should -BeFalse
        }
    }
}
