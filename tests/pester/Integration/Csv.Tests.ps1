# Import-JCUserFromCsv and Export-JCADUserCsv through the REAL engine (build/jcadi-engine): the
# import against a JumpCloud sandbox process started here (empty org, its own CA), the export
# against the test domain controller when one runs (read-only: it exports CN=Users).
# Engine runs go through a wrapper that records argv and environment: no secret may appear there.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'jcadi-engine'
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $script:SkipReason = $null
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $script:SkipReason = 'the engine wrapper that records argv is a /bin/sh script'
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipReason = "no engine ($enginePath; build it with 'npm run build')"
    }
    if ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "CSV integration tests skipped: $script:SkipReason.")
    }
    $script:NoTestDC = -not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)
    if ($null -eq $script:SkipReason -and $script:NoTestDC) {
        [void](Confirm-TestSkip -Message "Export-JCADUserCsv integration test skipped: no test DC ($dcFolder/connection.json; start it with 'npm run testdc:start').")
    }
}

Describe 'CSV import and export with the real engine' -Tag 'Integration' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/IntegrationFixture.ps1')
        . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/AnsweringHost.ps1')
        Initialize-IntegrationFixture -TestDrivePath $TestDrive
        $wrapper = New-RecordingEngine
        $script:LogFile = Join-Path -Path $script:Work -ChildPath 'engine.log'
        Set-TestEnvironment -Values @{ JCADI_ENGINE_PATH = $wrapper; JCADI_STATE_DIR = (Join-Path -Path $script:Work -ChildPath 'state'); JCADI_LOG_FILE = $script:LogFile }
        Start-TestSandbox
        $script:SplatJumpCloud = @{
            JumpCloudUrl                      = $script:Sandbox.url
            JumpCloudCertificateAuthorityFile = $script:Sandbox.caFile
            JumpCloudApiKey                   = $script:ApiKey
        }

        # Excel's "Unicode Text": UTF-16 LE with a BOM, TAB-separated, CRLF; one multi-line cell.
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $script:Names = @{ Zoe = "zoe$tag"; Bjorn = "bjorn$tag"; Bad = "bad$tag" }
        $script:Passwords = @("Pester-Zoe-$tag-9!", "Pester-Bjorn-$tag-9!")
        $lines = @(
            "FirstName`tLastName`tUsername`tPassword`tEmail`tdescription`tGroup1"
            ("Zoë`tÅngström`t{0}`t{1}`tzoë.{0}@example.com`t""two`r`nlines""`tPester-$tag" -f $script:Names.Zoe, $script:Passwords[0])
            ("Björn`tÖberg`t{0}`t{1}`t{0}@example.com`t`tPester-$tag" -f $script:Names.Bjorn, $script:Passwords[1])
        )
        $script:GoodFile = Join-Path -Path $script:Work -ChildPath 'unicode.txt'
        [System.IO.File]::WriteAllText($script:GoodFile, (($lines -join "`r`n") + "`r`n"), (New-Object -TypeName System.Text.UnicodeEncoding -ArgumentList $false, $true))
        $script:BadFile = Join-Path -Path $script:Work -ChildPath 'broken.csv'
        $badLines = @(
            'FirstName,LastName,Username,Password,Email'
            ('Ann,Lee,{0},{1},ann.{0}@example.com' -f $script:Names.Bad, $script:Passwords[0])
            ('Ann,Lee,{0},{1},ann2.{0}@example.com' -f $script:Names.Bad, $script:Passwords[1])
        )
        [System.IO.File]::WriteAllText($script:BadFile, ($badLines -join "`r`n"))

        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name $script:ManifestPath -Force

        function Invoke-WhatIfImport {
            # -WhatIf on a host that keeps the "What if:" line out of the test output.
            param([string] $Path)
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -RealEngine -ArgumentList $Path, $script:SplatJumpCloud -ScriptBlock {
                param($path, $splat)
                $rows = @(Import-JCUserFromCsv -Path $path @splat -WhatIf -InformationAction SilentlyContinue -InformationVariable info -WarningAction SilentlyContinue)
                [pscustomobject]@{ Rows = $rows; Summary = $info[0].MessageData }
            }
            if ($null -ne $run.Thrown) {
                throw $run.Thrown
            }
            return [pscustomobject]@{ Rows = $run.Output[0].Rows; Summary = $run.Output[0].Summary; WhatIf = @($run.HostLines | Where-Object { $_ -like 'What if:*' }) }
        }
    }

    AfterAll {
        Clear-IntegrationFixture
    }

    It '-WhatIf returns WouldCreate per row and the groups it would create, and creates nothing' {
        $run = Invoke-WhatIfImport -Path $script:GoodFile
        @($run.Rows | ForEach-Object Status) | Should -Be @('WouldCreate', 'WouldCreate')
        $run.Rows[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.CsvImportResult'
        @($run.Summary.GroupsToCreate) | Should -Be @("Pester-$($script:Names.Zoe.Substring(3))")
        $run.WhatIf.Count | Should -Be 1
        $run.WhatIf[0] | Should -Match 'Would create 2 users from unicode\.txt'
        $again = Invoke-WhatIfImport -Path $script:GoodFile
        @($again.Rows | ForEach-Object Status) | Should -Be @('WouldCreate', 'WouldCreate') -Because 'the first -WhatIf created nothing'
    }

    It 'imports Excel''s UTF-16 "Unicode Text": one Created object per row and a summary' {
        $rows = @(Import-JCUserFromCsv -Path $script:GoodFile @script:SplatJumpCloud -InformationAction SilentlyContinue -InformationVariable info -WarningVariable warnings)
        @($rows | ForEach-Object Status) | Should -Be @('Created', 'Created')
        @($rows | ForEach-Object Username) | Should -Be @($script:Names.Zoe, $script:Names.Bjorn)
        @($rows | ForEach-Object Row) | Should -Be @(2, 4) -Because 'the first row spans lines 2 and 3'
        $rows[0].Email | Should -BeExactly ('zoë.{0}@example.com' -f $script:Names.Zoe)
        $rows[0].JumpCloudId | Should -Match '^[0-9a-f]{24}$'
        $summary = $info[0].MessageData
        $summary.Created | Should -Be 2
        $summary.Encoding | Should -BeExactly 'UTF-16 LE'
        $summary.Delimiter | Should -BeExactly 'TAB'
        $summary.ToString() | Should -Match '^Imported unicode\.txt \(2 rows, UTF-16 LE, TAB-separated\): 2 created, 0 exist'
        ($rows | Format-Table | Out-String -Width 200) | Should -Match 'Row\s+Status\s+Username\s+JumpCloudId\s+Reason'
    }

    It 'creates nothing twice: a rerun reports Exists with the same ids' {
        $first = @((Invoke-WhatIfImport -Path $script:GoodFile).Rows)
        $rows = @(Import-JCUserFromCsv -Path $script:GoodFile @script:SplatJumpCloud -InformationAction SilentlyContinue)
        @($first | ForEach-Object Status) | Should -Be @('Exists', 'Exists')
        @($rows | ForEach-Object Status) | Should -Be @('Exists', 'Exists')
        $rows[0].JumpCloudId | Should -BeExactly $first[0].JumpCloudId
    }

    It 'returns the invalid rows, then stops with Csv.ValidationFailed, and creates nothing' {
        $seen = New-Object -TypeName System.Collections.Generic.List[object]
        $caught = $null
        try {
            Import-JCUserFromCsv -Path $script:BadFile @script:SplatJumpCloud | ForEach-Object { $seen.Add($_) }
        }
        catch {
            $caught = $_
        }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeExactly 'Csv.ValidationFailed,Import-JCUserFromCsv'
        $caught.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidData)
        @($seen | ForEach-Object Status) | Should -Be @('Invalid', 'Invalid')
        @($seen | ForEach-Object ErrorId) | Should -Be @('Csv.DuplicateUsername', 'Csv.DuplicateUsername')
        $seen[0].Reason | Should -Match 'also appears on line 3'
        $check = Invoke-WhatIfImport -Path $script:BadFile
        @($check.Rows | ForEach-Object Status) | Should -Be @('Invalid', 'Invalid')
    }

    It 'stops with Csv.DomainRequired when -BindToDomain finds no ADI domain' {
        { Import-JCUserFromCsv -Path $script:GoodFile @script:SplatJumpCloud -BindToDomain } | Should -Throw -ErrorId 'Csv.DomainRequired,Import-JCUserFromCsv'
    }

    It 'never puts a password or the API key on the engine''s command line, in its environment, output or log' {
        $output = Import-JCUserFromCsv -Path $script:GoodFile @script:SplatJumpCloud -Verbose -InformationAction Continue *>&1 | Out-String -Width 400
        $argv = Get-Content -LiteralPath (Join-Path -Path $script:Work -ChildPath 'engine/argv.txt') -Raw
        $environment = Get-Content -LiteralPath (Join-Path -Path $script:Work -ChildPath 'engine/env.txt') -Raw
        $log = Get-Content -LiteralPath $script:LogFile -Raw
        $argv.Trim() -split "`n" | Sort-Object -Unique | Should -Be @('exec')
        foreach ($secret in @($script:Passwords + $script:ApiKeyText)) {
            $argv.Contains($secret) | Should -BeFalse
            $environment.Contains($secret) | Should -BeFalse
            $output.Contains($secret) | Should -BeFalse
            $log.Contains($secret) | Should -BeFalse
        }
        $output | Should -Match ([regex]::Escape($script:Names.Zoe))
        $log | Should -Match 'csv-import'
    }

    It 'Export-JCADUserCsv exports CN=Users, skipping the protected and built-in accounts' -Skip:$NoTestDC {
        $dcFolder = $env:JCADI_TESTDC_DIR
        if ([string]::IsNullOrEmpty($dcFolder)) {
            $dcFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'testdc'
        }
        $connection = Get-Content -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -Raw | ConvertFrom-Json
        $password = ([System.IO.File]::ReadAllText($connection.adminPasswordFile)).Trim()
        $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $connection.adminUPN, (ConvertTo-SecureString -String $password -AsPlainText -Force)
        $path = Join-Path -Path $script:Work -ChildPath 'export.csv'
        $splatExport = @{
            Path                     = $path
            Server                   = $connection.host
            Port                     = [int]$connection.port
            Credential               = $credential
            CertificateAuthorityFile = $connection.caFile
            RootUserDN               = ('CN=Users;{0}' -f $connection.adiDomain)
        }
        $messages = @(Export-JCADUserCsv @splatExport -Verbose -WarningAction SilentlyContinue -WarningVariable warnings 4>&1)
        $result = @($messages | Where-Object { $_.PSObject.TypeNames[0] -eq 'JumpCloudADI.CsvExportResult' })
        $result.Count | Should -Be 1
        $result[0].Path | Should -BeExactly $path
        $result[0].SkippedProtected | Should -BeGreaterOrEqual 2
        $verbose = ($messages | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message }) -join "`n"
        $verbose | Should -Match 'Skipped protected: .*Administrator'
        (@($warnings | ForEach-Object { $_.Message }) -join "`n") | Should -Match 'Password column is empty'
        $bytes = [System.IO.File]::ReadAllBytes($path)
        @($bytes[0], $bytes[1], $bytes[2]) | Should -Be @(0xEF, 0xBB, 0xBF)
        $rows = @(Import-Csv -LiteralPath $path -Encoding UTF8)
        $rows.Count | Should -Be $result[0].Users
        ($rows | Where-Object Username -EQ 'Administrator') | Should -BeNullOrEmpty
        $password.Length | Should -BeGreaterThan 0
        (Get-Content -LiteralPath $script:LogFile -Raw).Contains($password) | Should -BeFalse
        { Export-JCADUserCsv @splatExport -NoClobber -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'Csv.OutputExists,Export-JCADUserCsv'
    }
}
