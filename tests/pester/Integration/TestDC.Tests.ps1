# The module against the real engine AND the test domain controller (Samba AD DC over LDAPS),
# started by scripts/testdc-start.sh, which writes connection.json (no secrets) and the admin
# password file. The folder is $env:JCADI_TESTDC_DIR, or build/testdc.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $dcFolder = $env:JCADI_TESTDC_DIR
    if ([string]::IsNullOrEmpty($dcFolder)) {
        $dcFolder = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath 'testdc'
    }
    $connectionPath = Join-Path -Path $dcFolder -ChildPath 'connection.json'
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $engineName = 'jcadi-engine.exe'
    }
    else {
        $engineName = 'jcadi-engine'
    }
    $enginePath = Join-Path -Path (Join-Path -Path $repoRoot -ChildPath 'build') -ChildPath $engineName

    $script:SkipDC = $false
    if (-not (Test-Path -LiteralPath $connectionPath -PathType Leaf)) {
        $script:SkipDC = $true
        [void](Confirm-TestSkip -Message "Test DC integration tests skipped: $connectionPath does not exist (start the test DC with 'npm run testdc:start').")
    }
    elseif (-not (Test-Path -LiteralPath $enginePath -PathType Leaf)) {
        $script:SkipDC = $true
        [void](Confirm-TestSkip -Message "Test DC integration tests skipped: $enginePath does not exist (build it with 'npm run build').")
    }
}

Describe 'Module against the test domain controller' -Tag 'Integration', 'TestDC' -Skip:$SkipDC {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
        $dcFolder = $env:JCADI_TESTDC_DIR
        if ([string]::IsNullOrEmpty($dcFolder)) {
            $dcFolder = Join-Path -Path (Join-Path -Path $script:RepoRoot -ChildPath 'build') -ChildPath 'testdc'
        }
        $script:Connection = Get-Content -LiteralPath (Join-Path -Path $dcFolder -ChildPath 'connection.json') -Raw | ConvertFrom-Json
        $script:AdminPassword = ([System.IO.File]::ReadAllText($script:Connection.adminPasswordFile)).TrimEnd("`r", "`n")
        $securePassword = ConvertTo-SecureString -String $script:AdminPassword -AsPlainText -Force
        $script:AdminCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $script:Connection.adminUPN, $securePassword
        $script:WrongPassword = 'Wrong-' + [guid]::NewGuid().ToString('N')
        $script:WrongCredential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $script:Connection.adminUPN, (ConvertTo-SecureString -String $script:WrongPassword -AsPlainText -Force)
        $script:UsersRoot = 'CN=Users;' + $script:Connection.adiDomain
        $script:CorporateRoot = 'OU=Corporate Users;' + $script:Connection.adiDomain
        $script:SplatDc = @{
            Server                   = $script:Connection.host
            Port                     = [int]$script:Connection.port
            Credential               = $script:AdminCredential
            CertificateAuthorityFile = $script:Connection.caFile
            TimeoutSeconds           = 10
        }

        $script:SavedEnginePath = $env:JCADI_ENGINE_PATH
        $env:JCADI_ENGINE_PATH = $null
        $script:SavedProgress = $ProgressPreference
        $global:ProgressPreference = 'SilentlyContinue'
        Get-Module -Name JumpCloudADI | Remove-Module -Force
        Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

        function Get-ThrownRecord {
            param([scriptblock] $ScriptBlock)
            try {
                & $ScriptBlock
            }
            catch {
                return $_
            }
            return $null
        }
    }

    AfterAll {
        $env:JCADI_ENGINE_PATH = $script:SavedEnginePath
        $global:ProgressPreference = $script:SavedProgress
        Get-Module -Name JumpCloudADI | Remove-Module -Force
    }

    Context 'Test-JCDomainController' {
        It 'binds over LDAPS with the test CA and reports the domain' {
            $info = Test-JCDomainController @script:SplatDc -RootUserDN $script:UsersRoot
            @($info).Count | Should -Be 1
            $info.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.DomainControllerInfo'
            $info.DefaultNamingContext | Should -Be 'DC=example,DC=com'
            $info.DefaultNamingContext | Should -Be $script:Connection.baseDN
            $info.DnsHostName | Should -Not -BeNullOrEmpty
            $info.TlsVerified | Should -BeTrue
            $info.CanReadRootContainer | Should -BeTrue
        }

        It 'works over StartTLS on port 389 too' {
            $splat = $script:SplatDc.Clone()
            $splat.Remove('Port')
            $info = Test-JCDomainController @splat -LdapMode StartTls
            $info.TlsVerified | Should -BeTrue
            $info.DefaultNamingContext | Should -Be $script:Connection.baseDN
        }

        It 'stops with AD.BindFailed for a wrong password' {
            $splat = $script:SplatDc.Clone()
            $splat.Credential = $script:WrongCredential
            { Test-JCDomainController @splat } | Should -Throw -ErrorId 'AD.BindFailed,Test-JCDomainController'
        }

        It 'stops with AD.TlsFailed when the certificate is checked against another CA' {
            $splat = $script:SplatDc.Clone()
            $splat.CertificateAuthorityFile = $script:Connection.otherCaFile
            { Test-JCDomainController @splat } | Should -Throw -ErrorId 'AD.TlsFailed,Test-JCDomainController'
        }

        It 'stops with AD.Unreachable for a closed port, within the timeout' {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $record = Get-ThrownRecord { Test-JCDomainController -Server '127.0.0.1' -Port 1 -Credential $script:AdminCredential -CertificateAuthorityFile $script:Connection.caFile -TimeoutSeconds 5 }
            $watch.Stop()
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeExactly 'AD.Unreachable,Test-JCDomainController'
            $record.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ConnectionError)
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'a 5 s timeout plus the engine start'
        }
    }

    Context 'Test-JCRootDN -Server' {
        It 'finds an existing container' {
            $result = Test-JCRootDN $script:CorporateRoot -Server $script:Connection.host -Port ([int]$script:Connection.port) -Credential $script:AdminCredential -CertificateAuthorityFile $script:Connection.caFile
            $result.IsValid | Should -BeTrue
            $result.Exists | Should -BeTrue
            $result.LdapDN | Should -BeExactly ('OU=Corporate Users,' + $script:Connection.baseDN)
        }

        It 'reports a missing container as Exists False with a problem' {
            $result = Test-JCRootDN ('OU=Nope;' + $script:Connection.adiDomain) -Server $script:Connection.host -Port ([int]$script:Connection.port) -Credential $script:AdminCredential -CertificateAuthorityFile $script:Connection.caFile
            $result.Exists | Should -BeFalse
            $result.IsValid | Should -BeFalse
            @($result.Problems).Count | Should -BeGreaterThan 0
        }
    }

    Context 'secrets' {
        It 'never shows a password in any stream, even with -Verbose and on failure' {
            $everything = & {
                Test-JCDomainController @script:SplatDc -RootUserDN $script:UsersRoot -Verbose
                Test-JCRootDN $script:CorporateRoot -Server $script:Connection.host -Port ([int]$script:Connection.port) -Credential $script:AdminCredential -CertificateAuthorityFile $script:Connection.caFile -Domain $script:Connection.adiDomain -Verbose
                $splat = $script:SplatDc.Clone()
                $splat.Credential = $script:WrongCredential
                try {
                    Test-JCDomainController @splat -Verbose
                }
                catch {
                    $_
                }
            } *>&1

            $everything | Should -Not -BeNullOrEmpty
            $texts = New-Object -TypeName System.Collections.Generic.List[string]
            foreach ($item in $everything) {
                $texts.Add(($item | Out-String -Width 500))
                if ($item -is [System.Management.Automation.ErrorRecord]) {
                    $texts.Add($item.Exception.ToString())
                    $texts.Add([string]$item.ErrorDetails)
                    $texts.Add([string]$item.TargetObject)
                    $texts.Add($item.FullyQualifiedErrorId)
                }
                elseif ($item -is [System.Management.Automation.InformationalRecord]) {
                    $texts.Add($item.Message)
                }
                else {
                    $texts.Add(($item | ConvertTo-Json -Depth 6 -Compress))
                }
            }
            @($everything | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0 -Because 'the check must see verbose output'
            @($everything | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0 -Because 'the check must see an error'
            $allText = $texts -join "`n"
            $allText | Should -Not -Match ([regex]::Escape($script:AdminPassword))
            $allText | Should -Not -Match ([regex]::Escape($script:WrongPassword))
        }
    }
}
