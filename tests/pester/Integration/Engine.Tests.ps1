# The module against the REAL engine binary (build/jcadi-engine): no mocks, no server needed.

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
        [void](Confirm-TestSkip -Message "Engine integration tests skipped: $enginePath does not exist (build it with 'npm run build').")
    }

    # Malformed Root User DNs: each must be reported invalid with a problem naming the issue.
    $malformed = @(
        @{ Case = 'comma separators'; DN = 'OU=Corporate Users,DC=example,DC=com'; Word = 'comma' }
        @{ Case = 'lower-case attribute types'; DN = 'ou=x;dc=example;dc=com'; Word = 'case' }
        @{ Case = 'a non-ASCII character'; DN = 'CN=Usérs;DC=example;DC=com'; Word = 'ASCII' }
        @{ Case = 'an empty component'; DN = 'CN=Users;;DC=example;DC=com'; Word = 'empty' }
        @{ Case = 'a trailing semicolon'; DN = 'CN=Users;DC=example;DC=com;'; Word = 'trailing|ends with' }
        @{ Case = 'spaces around a separator'; DN = 'CN=Users ; DC=example;DC=com'; Word = 'space' }
        @{ Case = 'an escape sequence'; DN = 'CN=Us\,ers;DC=example;DC=com'; Word = 'escap' }
    )
}

Describe 'Module with the real engine' -Tag 'Integration' -Skip:$SkipEngine {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
        # Use the engine of this repository, whatever the environment says.
        $script:SavedEnginePath = $env:JCADI_ENGINE_PATH
        $env:JCADI_ENGINE_PATH = $null
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
    }

    AfterAll {
        $env:JCADI_ENGINE_PATH = $script:SavedEnginePath
        Get-Module -Name JumpCloudADI | Remove-Module -Force
    }

    Context 'Get-JCSyncEngine' {
        It 'returns the engine''s version and path' {
            $info = Get-JCSyncEngine
            $info.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.EngineInfo'
            $info.Version | Should -Match '^\d+\.\d+\.\d+'
            $info.Node | Should -Not -BeNullOrEmpty
            $info.Platform | Should -Not -BeNullOrEmpty
            $info.Arch | Should -Not -BeNullOrEmpty
            $info.Path | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Test-JCRootDN offline' {
        It 'accepts the ADI form and gives the LDAP form' {
            $result = Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com'
            @($result).Count | Should -Be 1
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.RootDNResult'
            $result.RootUserDN | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $result.IsValid | Should -BeTrue
            $result.LdapDN | Should -BeExactly 'OU=Corporate Users,DC=example,DC=com'
            @($result.Problems).Count | Should -Be 0
        }

        It 'reports <Case> as invalid, with a problem mentioning "<Word>"' -ForEach $malformed {
            $result = Test-JCRootDN -RootUserDN $DN -ErrorVariable errors
            $errors.Count | Should -Be 0 -Because 'a malformed DN is a result, not an error'
            $result.RootUserDN | Should -BeExactly $DN
            $result.IsValid | Should -BeFalse
            $problems = @($result.Problems | ForEach-Object { if ($_ -is [string]) { $_ } else { $_ | ConvertTo-Json -Compress -Depth 5 } })
            $problems.Count | Should -BeGreaterThan 0
            ($problems -join "`n") | Should -Match "(?i)$Word"
        }

        It 'says UnderDomain False for a DN outside -Domain' {
            $result = Test-JCRootDN 'CN=Users;DC=example;DC=com' -Domain 'DC=other;DC=com'
            $result.UnderDomain | Should -BeFalse
            $result.IsValid | Should -BeFalse
            @($result.Problems).Count | Should -BeGreaterThan 0
        }

        It 'says UnderDomain True for a DN inside -Domain' {
            $result = Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com' -Domain 'DC=example;DC=com'
            $result.UnderDomain | Should -BeTrue
            $result.IsValid | Should -BeTrue
        }

        It 'gives one result per piped DN, in order' {
            $dns = 'CN=Users;DC=example;DC=com', 'OU=Corporate Users,DC=example,DC=com', 'OU=Sales;OU=Corporate Users;DC=example;DC=com'
            $results = @($dns | Test-JCRootDN)
            $results.Count | Should -Be 3
            @($results | ForEach-Object { $_.RootUserDN }) | Should -Be $dns
            @($results | ForEach-Object { $_.IsValid }) | Should -Be @($true, $false, $true)
        }

        It 'formats results as a table' {
            $text = Test-JCRootDN 'CN=Users;DC=example;DC=com' | Out-String -Width 200
            $text | Should -Match 'RootUserDN\s+IsValid'
        }
    }

    Context 'requests the engine refuses' {
        It 'stops with a stable id when -Server cannot be reached' {
            $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'nobody@example.com', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)
            { Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server '127.0.0.1' -Port 1 -Credential $credential -TimeoutSeconds 3 } | Should -Throw -ErrorId 'AD.Unreachable,Test-JCRootDN'
        }

        It 'refuses plain LDAP without both insecure switches (exit 2, before any connection)' {
            $credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'nobody@example.com', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)
            $caught = $null
            try {
                Test-JCDomainController -Server '127.0.0.1' -Port 1 -Credential $credential -LdapMode Ldap -AllowInsecureLdap -TimeoutSeconds 3
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidArgument)
            $caught.Exception.Message | Should -Match 'insecure|unencrypted|plain'
        }
    }
}
