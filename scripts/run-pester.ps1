<#
.SYNOPSIS
    Runs the Pester tests of the JumpCloudADI module (tests/pester).
.DESCRIPTION
    Imports Pester 5.7.1 by path from the NuGet package cache (installed by "npm run setup"),
    runs the tests with detailed output, and exits with code 1 when any test, block or test file
    failed (0 otherwise). The very last line printed is:
        pester: N passed, N failed, N skipped
.PARAMETER Tag
    Run only tests with one of these tags (for example Integration, TestDC).
.PARAMETER ExcludeTag
    Skip tests with one of these tags.
.PARAMETER Path
    Test files or folders to run. Default: tests/pester.
.PARAMETER CI
    Also write NUnit XML results to build/pester/results.xml, and never skip an integration suite
    whose test DC or engine is missing (tests/pester/Helpers/TestSkip.ps1).
.EXAMPLE
    pwsh -NoProfile -File scripts/run-pester.ps1
.EXAMPLE
    pwsh -NoProfile -File scripts/run-pester.ps1 -ExcludeTag Integration
#>
[CmdletBinding()]
param(
    [string[]] $Tag,

    [string[]] $ExcludeTag,

    [string[]] $Path,

    [switch] $CI
)

$ErrorActionPreference = 'Stop'
$repoRoot = Split-Path -Path $PSScriptRoot -Parent

$pesterVersion = '5.7.1'
$userHome = [Environment]::GetFolderPath('UserProfile')
if ([string]::IsNullOrEmpty($userHome)) {
    $userHome = $HOME
}
$nugetRoot = $env:NUGET_PACKAGES
if ([string]::IsNullOrEmpty($nugetRoot)) {
    $nugetRoot = Join-Path -Path (Join-Path -Path $userHome -ChildPath '.nuget') -ChildPath 'packages'
}
$pesterManifest = [System.IO.Path]::Combine($nugetRoot, 'pester', $pesterVersion, 'tools', 'Pester.psd1')
if (-not (Test-Path -LiteralPath $pesterManifest -PathType Leaf)) {
    [Console]::Error.WriteLine("Pester $pesterVersion was not found at $pesterManifest. Run 'npm run setup' first.")
    [Console]::Out.WriteLine('pester: 0 passed, 1 failed, 0 skipped')
    exit 2
}

Get-Module -Name Pester | Remove-Module -Force
Import-Module -Name $pesterManifest -Force -ErrorAction Stop
$loaded = Get-Module -Name Pester
if ($null -eq $loaded -or $loaded.Version -ne [version]$pesterVersion) {
    [Console]::Error.WriteLine("Expected Pester $pesterVersion, loaded $($loaded.Version). Run 'npm run setup' first.")
    [Console]::Out.WriteLine('pester: 0 passed, 1 failed, 0 skipped')
    exit 2
}

if (-not $Path -or $Path.Count -eq 0) {
    $Path = @(Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'tests') -ChildPath 'pester')
}

foreach ($item in $Path) {
    # Pester searches a missing path's parent folder recursively: refuse it instead.
    if (-not (Test-Path -Path $item)) {
        [Console]::Error.WriteLine("Test path not found: $item")
        [Console]::Out.WriteLine('pester: 0 passed, 1 failed, 0 skipped')
        exit 2
    }
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Run.Exit = $false
$configuration.Output.Verbosity = 'Detailed'
if ($Tag) {
    $configuration.Filter.Tag = $Tag
}
if ($ExcludeTag) {
    $configuration.Filter.ExcludeTag = $ExcludeTag
}
if ($CI) {
    # Integration suites never skip under CI (tests/pester/Helpers/TestSkip.ps1).
    $env:JCADI_TEST_CI = '1'
    $resultFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'pester'
    [void](New-Item -ItemType Directory -Path $resultFolder -Force)
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = Join-Path -Path $resultFolder -ChildPath 'results.xml'
}

$ErrorActionPreference = 'Continue'
$result = Invoke-Pester -Configuration $configuration

$passed = 0
$failed = 0
$skipped = 0
if ($null -ne $result) {
    $passed = [int]$result.PassedCount
    $skipped = [int]$result.SkippedCount
    # A test file that cannot be loaded counts as a failure. A failed BeforeAll already marks the
    # tests of its block failed; a failed AfterAll does not, so count blocks only when nothing else
    # failed.
    $failed = [int]$result.FailedCount + [int]$result.FailedContainersCount
    if ($failed -eq 0) {
        $failed = [int]$result.FailedBlocksCount
    }
}
else {
    $failed = 1
}

$exitCode = 0
if ($failed -gt 0 -or $null -eq $result -or $result.Result -ne 'Passed') {
    $exitCode = 1
    if ($failed -eq 0) {
        $failed = 1
    }
}

[Console]::Out.WriteLine(('pester: {0} passed, {1} failed, {2} skipped' -f $passed, $failed, $skipped))
exit $exitCode
