# Test-JCRootDN with the real engine over the hostile Root User DNs of the corpus
# (tests/fixtures/hostile/corpus.json, scripts/make-hostile-corpus.mjs): injection, escapes,
# control characters, non-ASCII, overlong. Each must come back as one result, valid with exactly
# the expected LDAP form, or invalid with its problems explained; never an error.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $engineName = 'jcadi-engine.exe'
    }
    else {
        $engineName = 'jcadi-engine'
    }
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath $engineName
    $script:SkipEngine = -not (Test-Path -LiteralPath $enginePath -PathType Leaf)
    if ($script:SkipEngine) {
        [void](Confirm-TestSkip -Message "Hostile Root DN tests skipped: $enginePath does not exist (build it with 'npm run build').")
    }
    $corpusFile = Join-Path -Path $repoRoot -ChildPath 'tests/fixtures/hostile/corpus.json'
    $corpus = Get-Content -LiteralPath $corpusFile -Raw -Encoding UTF8 | ConvertFrom-Json
    $rootDns = @($corpus.entries | Where-Object { $_.surface -eq 'rootdn' } | ForEach-Object {
            @{ Id = $_.id; DN = [string]$_.value; Valid = ($_.expect -eq 'valid'); LdapDN = $_.ldapDN }
        })
}

Describe 'Test-JCRootDN with hostile Root User DNs' -Tag 'Integration' -Skip:$SkipEngine {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
        $script:SavedEnginePath = $env:JCADI_ENGINE_PATH
        $env:JCADI_ENGINE_PATH = $null
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    }

    AfterAll {
        $env:JCADI_ENGINE_PATH = $script:SavedEnginePath
        Get-Module -Name JumpCloudADI | Remove-Module -Force
    }

    It 'the corpus holds <Count> hostile Root User DNs' -ForEach @(@{ Count = $rootDns.Count }) {
        $Count | Should -BeGreaterThan 40
    }

    It '<Id> is judged valid=<Valid>, without an error' -ForEach $rootDns {
        if ($DN -eq '') {
            # PowerShell itself refuses an empty -RootUserDN, naming the parameter.
            { Test-JCRootDN -RootUserDN $DN } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException]) -ExpectedMessage '*RootUserDN*'
            return
        }
        $result = Test-JCRootDN -RootUserDN $DN -ErrorVariable errors
        $errors.Count | Should -Be 0 -Because 'a malformed DN is a result, not an error'
        @($result).Count | Should -Be 1
        $result.RootUserDN | Should -BeExactly $DN
        $result.IsValid | Should -Be $Valid
        if ($Valid) {
            $result.LdapDN | Should -BeExactly $LdapDN
            @($result.Problems).Count | Should -Be 0
        }
        else {
            $result.LdapDN | Should -BeNullOrEmpty
            $problems = @($result.Problems)
            $problems.Count | Should -BeGreaterThan 0
            foreach ($problem in $problems) {
                ([string]$problem).Length | Should -BeGreaterThan 15
            }
        }
    }
}
