# Invoke-JCSyncRehearsal end to end through the cmdlet: the module → the REAL engine
# (build/jcadi-engine) → its own sandbox child process and the test domain controller (Samba AD
# over LDAPS). Every row that does not need Windows passes, the Windows rows say Skipped with the
# reason, the HTML report exists and works in a real headless Chromium (summary, one row per
# check, the filter), and nothing is left behind: no OU, no process, no folder. A second run is
# stopped half way (what Ctrl+C does) and still cleans up.
# The deep checks of the flow (1,501-member group, the change log) are in
# tests/engine/integration/rehearsal.test.ts; this one keeps the large group small.

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
        $script:SkipReason = 'runs on the Linux CI host against its Samba test DC'
    }
    elseif (-not (Test-Path -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -PathType Leaf)) {
        $script:SkipReason = "no test DC ($dcFolder/connection.json; start it with 'npm run testdc:start')"
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipReason = "no engine ($enginePath; build it with 'npm run build')"
    }
    if ($null -ne $script:SkipReason) {
        [void](Confirm-TestSkip -Message "Rehearsal integration tests skipped: $script:SkipReason.")
    }
}

Describe 'Invoke-JCSyncRehearsal against the test DC' -Tag 'Integration', 'TestDC' -Skip:($null -ne $SkipReason) {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
        $dcFolder = $env:JCADI_TESTDC_DIR
        if ([string]::IsNullOrEmpty($dcFolder)) {
            $dcFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'testdc'
        }
        $script:ConnectionFile = Join-Path -Path $dcFolder -ChildPath 'connection.json'
        $script:Connection = Get-Content -LiteralPath $script:ConnectionFile -Raw | ConvertFrom-Json
        $password = ([System.IO.File]::ReadAllText($script:Connection.adminPasswordFile)).Trim()
        $script:Admin = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $script:Connection.adminUPN, (ConvertTo-SecureString -String $password -AsPlainText -Force)
        $script:Node = (Get-Command -Name node -CommandType Application | Select-Object -First 1).Source
        $script:FixtureScript = Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/SyncFixture.mjs'
        $script:ReportFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'reports'
        [void](New-Item -ItemType Directory -Path $script:ReportFolder -Force)
        $script:ReportPath = Join-Path -Path $script:ReportFolder -ChildPath 'rehearsal.html'
        $script:ReportUrl = (New-Object -TypeName System.Uri -ArgumentList ('file://' + $script:ReportPath)).AbsoluteUri
        $script:SavedProgress = $global:ProgressPreference
        $global:ProgressPreference = 'SilentlyContinue'
        $script:SavedLogFile = $env:JCADI_LOG_FILE
        $env:JCADI_LOG_FILE = Join-Path -Path (Resolve-Path -LiteralPath $TestDrive).ProviderPath -ChildPath 'engine.log'

        function Get-RehearsalOU {
            $json = ConvertTo-Json -InputObject @{ connectionFile = $script:ConnectionFile; prefix = 'JumpCloudADI-Rehearsal-' } -Compress
            $output = @($json | & $script:Node $script:FixtureScript 'ou-list' 2>&1)
            if ($LASTEXITCODE -ne 0) {
                throw ('SyncFixture ou-list failed: {0}' -f ($output -join ' '))
            }
            return @([string]($output | Select-Object -Last 1) | ConvertFrom-Json)
        }
        function Get-RehearsalProcess {
            # The sandbox and the agent run from the engine with a jcadi-rehearsal-* folder on their command line.
            return @(Get-Process | Where-Object { $_.Id -ne $PID -and $null -ne $_.CommandLine -and $_.CommandLine -match 'jcadi-rehearsal-' })
        }
        function Get-RehearsalFolder {
            return @(Get-ChildItem -LiteralPath ([System.IO.Path]::GetTempPath()) -Filter 'jcadi-rehearsal-*' -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })
        }
        $script:FoldersBefore = Get-RehearsalFolder
        $script:OUsBefore = Get-RehearsalOU

        $splat = @{
            Server                   = $script:Connection.host
            Credential               = $script:Admin
            CertificateAuthorityFile = $script:Connection.caFile
            LargeGroupSize           = 20
            ReportPath               = $script:ReportPath
            Confirm                  = $false
        }
        $script:Output = @(Invoke-JCSyncRehearsal @splat)
        $script:Checks = @($script:Output | Where-Object { $_.PSObject.TypeNames -contains 'JumpCloudADI.RehearsalCheck' })
        $script:Summary = @($script:Output | Where-Object { $_.PSObject.TypeNames -contains 'JumpCloudADI.RehearsalSummary' })

        # Debian's chromium, installed by scripts/setup.sh.
        $script:Chromium = Get-Command -Name chromium -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $script:Chromium) {
            throw 'chromium is not on PATH: run scripts/setup.sh (it installs Debian''s chromium package).'
        }
        # A profile of its own (no lock shared with another Chromium); --no-sandbox: the CI runs as
        # root, where Chromium's own process sandbox cannot start.
        $script:ChromiumArgs = @('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', ('--user-data-dir={0}' -f (Join-Path -Path (Resolve-Path -LiteralPath $TestDrive).ProviderPath -ChildPath 'chromium')))
        function Get-ChromiumDom {
            param([string] $Url)
            # A loaded machine sometimes aborts the first page load (net::ERR_ABORTED, no DOM):
            # up to three attempts, each a fresh browser.
            $errorFile = Join-Path -Path (Resolve-Path -LiteralPath $TestDrive).ProviderPath -ChildPath 'chromium.err'
            $dom = ''
            for ($attempt = 1; $attempt -le 3 -and $dom.Length -eq 0; $attempt++) {
                $output = & $script:Chromium.Source @script:ChromiumArgs --dump-dom $Url 2>$errorFile
                $dom = ($output -join "`n")
            }
            if ($dom.Length -eq 0) {
                throw ('Chromium printed no DOM for {2} (exit {0}): {1}' -f $LASTEXITCODE, (@(Get-Content -LiteralPath $errorFile) -notmatch 'dbus' -join ' '), $Url)
            }
            return $dom
        }
    }

    AfterAll {
        $global:ProgressPreference = $script:SavedProgress
        $env:JCADI_LOG_FILE = $script:SavedLogFile
        Get-Module -Name JumpCloudADI | Remove-Module -Force
    }

    It 'passes every row that does not need Windows' {
        $script:Checks.Count | Should -BeGreaterThan 25
        $failed = @($script:Checks | Where-Object { $_.Status -ne 'Pass' -and $_.Area -ne 'Windows host' -and $_.Area -ne 'Delegation' } | ForEach-Object { '{0} / {1}: {2} {3}' -f $_.Area, $_.Check, $_.Status, $_.Reason })
        $failed -join [Environment]::NewLine | Should -BeNullOrEmpty
        foreach ($check in $script:Checks | Where-Object { $_.Status -eq 'Pass' -and $_.Area -ne 'Cleanup' }) {
            [string]$check.Evidence | Should -Not -BeNullOrEmpty -Because "$($check.Check) shows its evidence"
        }
        @($script:Checks | ForEach-Object { $_.Step }) | Should -Be (1..$script:Checks.Count)
    }

    It 'says why the delegation was not checked (no -ServiceAccountCredential; the engine test covers it)' {
        $row = $script:Checks | Where-Object { $_.Area -eq 'Delegation' }
        $row.Status | Should -BeExactly 'Skipped'
        $row.Reason | Should -BeExactly 'no service account given: everything ran as the admin account'
    }

    It 'says Skipped with the reason for each Windows row' {
        $windows = @($script:Checks | Where-Object { $_.Area -eq 'Windows host' })
        $windows.Count | Should -Be 5
        foreach ($row in $windows) {
            $row.Status | Should -BeExactly 'Skipped'
            $row.Reason | Should -Match '^needs Windows: .+; this host is linux$'
        }
    }

    It 'reports the PowerShell edition and version' {
        $row = $script:Checks | Where-Object { $_.Check -eq 'PowerShell edition and version' }
        $row.Status | Should -BeExactly 'Pass'
        $row.Evidence | Should -BeLike ('PowerShell Core {0} on *' -f $PSVersionTable.PSVersion)
    }

    It 'returns a summary that adds up' {
        $script:Summary.Count | Should -Be 1
        $s = $script:Summary[0]
        $s.Failed | Should -Be 0
        ($s.Passed + $s.Failed + $s.Skipped) | Should -Be $script:Checks.Count
        $s.ScratchOU | Should -Match '^OU=JumpCloudADI-Rehearsal-\d{8}-\d{6},DC=example,DC=com$'
        $s.ReportPath | Should -Be $script:ReportPath
    }

    It 'leaves nothing behind: no OU, no process, no folder' {
        @(Get-RehearsalOU) | Should -Be @($script:OUsBefore)
        Get-RehearsalProcess | Should -BeNullOrEmpty
        @(Get-RehearsalFolder) | Should -Be @($script:FoldersBefore)
        ($script:Checks | Where-Object { $_.Area -eq 'Cleanup' }).Status | Should -BeExactly 'Pass'
    }

    It 'writes a self-contained report: one row per check, the summary' {
        Test-Path -LiteralPath $script:ReportPath -PathType Leaf | Should -BeTrue
        $html = [System.IO.File]::ReadAllText($script:ReportPath)
        $html | Should -Not -Match '(?i)<(script|link|img)[^>]+(src|href)='
        @([regex]::Matches($html, '<tr class="row ')).Count | Should -Be $script:Checks.Count
    }

    Context 'the report in a real browser' {
        It 'shows the summary and one row per check in headless Chromium' {
            $dom = Get-ChromiumDom -Url $script:ReportUrl
            $dom | Should -Match ('<span id="shown">{0} of {0} shown</span>' -f $script:Checks.Count) -Because 'the script ran and counted every row'
            @([regex]::Matches($dom, '<tr class="row st-(Pass|Fail|Skipped)"')).Count | Should -Be $script:Checks.Count
            $passed = @($script:Checks | Where-Object { $_.Status -eq 'Pass' }).Count
            $dom | Should -Match ('<div class="card c-Pass" data-count="Pass"><div class="v">{0}</div>' -f $passed)
            $skipped = @($script:Checks | Where-Object { $_.Status -eq 'Skipped' }).Count
            $skipped | Should -Be 6 -Because 'the five Windows rows and the delegation'
            $dom | Should -Match ('<div class="card c-Skipped" data-count="Skipped"><div class="v">{0}</div>' -f $skipped)
        }

        It 'filters the rows by the text in the filter box' {
            $dom = Get-ChromiumDom -Url ($script:ReportUrl + '#filter=needs%20windows')
            $visible = @([regex]::Matches($dom, '<tr class="row st-[A-Za-z]+"')).Count
            $hidden = @([regex]::Matches($dom, '<tr class="row st-[A-Za-z]+ hidden"')).Count
            $visible | Should -Be 5 -Because 'only the Windows rows say "needs Windows"'
            $hidden | Should -Be ($script:Checks.Count - 5)
            $dom | Should -Match ('<span id="shown">5 of {0} shown</span>' -f $script:Checks.Count)
        }

        It 'renders to a screenshot (kept under build/reports)' {
            $png = Join-Path -Path $script:ReportFolder -ChildPath 'rehearsal.png'
            Remove-Item -LiteralPath $png -Force -ErrorAction SilentlyContinue
            for ($attempt = 1; $attempt -le 3 -and -not (Test-Path -LiteralPath $png -PathType Leaf); $attempt++) {
                $null = & $script:Chromium.Source @script:ChromiumArgs --hide-scrollbars --window-size=1280,2200 ('--screenshot={0}' -f $png) $script:ReportUrl 2>$null
            }
            Test-Path -LiteralPath $png -PathType Leaf | Should -BeTrue
            $bytes = [System.IO.File]::ReadAllBytes($png)
            $bytes.Length | Should -BeGreaterThan 20000 -Because 'a rendered page, not a blank one'
            [System.BitConverter]::ToString($bytes, 0, 4) | Should -BeExactly '89-50-4E-47'
        }
    }

    Context 'stopped half way (Ctrl+C)' {
        It 'still removes the scratch OU, the sandbox and its folders' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                        param($ModulePath, $Splat, $LogFile)
                        $ProgressPreference = 'SilentlyContinue'
                        $env:JCADI_LOG_FILE = $LogFile
                        Import-Module -Name $ModulePath -Force
                        Invoke-JCSyncRehearsal @Splat
                    }).AddArgument((Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1')).AddArgument(@{
                        Server                   = $script:Connection.host
                        Credential               = $script:Admin
                        CertificateAuthorityFile = $script:Connection.caFile
                        LargeGroupSize           = 20
                        Confirm                  = $false
                    }).AddArgument($env:JCADI_LOG_FILE)
                $handle = $ps.BeginInvoke()
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                $seen = @()
                while ([DateTime]::UtcNow -lt $deadline -and $seen.Count -eq 0 -and -not $handle.IsCompleted) {
                    Start-Sleep -Milliseconds 500
                    $seen = @(Get-RehearsalOU | Where-Object { $script:OUsBefore -notcontains $_ })
                }
                $seen.Count | Should -Be 1 -Because 'the rehearsal made its scratch OU'
                (Get-RehearsalProcess).Count | Should -BeGreaterThan 0 -Because 'its sandbox runs'
                $ps.Stop()
            }
            finally {
                $ps.Dispose()
            }
            @(Get-RehearsalOU) | Should -Be @($script:OUsBefore)
            Get-RehearsalProcess | Should -BeNullOrEmpty
            @(Get-RehearsalFolder) | Should -Be @($script:FoldersBefore)
            @(Get-ChildItem -LiteralPath ([System.IO.Path]::GetTempPath()) -Filter 'jcadi-rehearsal-*.json').Count | Should -Be 0 -Because 'the manifest goes once everything is removed'
        }
    }
}
