# The release layout (scripts/package-module.ps1): the packaged module imports from its own folder
# with nothing else (no repository, no node_modules, no node on PATH) and runs the packaged engine.

BeforeDiscovery {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../Helpers/TestSkip.ps1')
    $repoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
    $script:SkipPackage = -not ((Test-Path -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'build/jcadi-engine')) -and (Test-Path -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'build/jcadi-engine.exe')) -and (Test-Path -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'build/jcadi-service.exe')))
    if ($script:SkipPackage) {
        [void](Confirm-TestSkip -Message 'Package tests skipped: build/jcadi-engine, build/jcadi-engine.exe and build/jcadi-service.exe are needed (npm run build).')
    }
}

Describe 'Packaged module' -Tag 'Integration' -Skip:$SkipPackage {
    BeforeAll {
        $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../..')).ProviderPath
        $script:Out = Join-Path -Path $TestDrive -ChildPath 'package'
        $script:Info = & (Join-Path -Path $script:RepoRoot -ChildPath 'scripts/package-module.ps1') -OutputPath $script:Out
        $script:Folder = $script:Info.Folder
        $script:Manifest = Join-Path -Path $script:Folder -ChildPath 'JumpCloudADI.psd1'
        $script:PublicNames = @(Get-ChildItem -Path (Join-Path -Path $script:RepoRoot -ChildPath 'module/Public') -Filter '*.ps1' | ForEach-Object { $_.BaseName } | Sort-Object)

        # A separate pwsh with a bare PATH and no engine override, started outside the repository.
        $script:RunIsolated = {
            param([string] $Script)
            $pwsh = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
            $psi = New-Object System.Diagnostics.ProcessStartInfo
            $psi.FileName = $pwsh
            foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $psi.ArgumentList.Add($a) }
            $psi.WorkingDirectory = $TestDrive
            $psi.UseShellExecute = $false
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.Environment.Remove('JCADI_ENGINE_PATH') | Out-Null
            $psi.Environment['PATH'] = '/usr/bin:/bin'
            $p = [System.Diagnostics.Process]::Start($psi)
            $stderr = $p.StandardError.ReadToEndAsync()
            $stdout = $p.StandardOutput.ReadToEnd()
            $p.WaitForExit()
            [pscustomobject]@{ ExitCode = $p.ExitCode; Stdout = $stdout; Stderr = $stderr.Result }
        }
    }

    It 'has the release layout: one psm1, formats, about help, both engines, the service host, checksums' {
        Test-Path -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'module/JumpCloudADI.psm1') | Should -BeTrue
        @(Get-ChildItem -Path (Join-Path -Path $script:Folder -ChildPath 'module') -Filter '*.ps1' -Recurse).Count | Should -Be 0 -Because 'the cmdlets are combined into the psm1'
        Test-Path -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'en-US/about_JumpCloudADI.help.txt') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'bin/jcadi-engine') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'bin/jcadi-engine.exe') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'bin/jcadi-service.exe') | Should -BeTrue -Because 'Install-JCSyncAgent installs it next to jcadi-engine.exe on Windows'
        $sums = Get-Content -LiteralPath (Join-Path -Path $script:Folder -ChildPath 'SHA256SUMS')
        $files = @(Get-ChildItem -LiteralPath $script:Folder -Recurse -File | Where-Object { $_.Name -ne 'SHA256SUMS' })
        $sums.Count | Should -Be $files.Count
        foreach ($line in $sums) {
            $hash, $relative = $line -split '  ', 2
            (Get-FileHash -LiteralPath (Join-Path -Path $script:Folder -ChildPath $relative) -Algorithm SHA256).Hash.ToLowerInvariant() | Should -BeExactly $hash
        }
    }

    It 'passes Test-ModuleManifest and exports exactly the public cmdlets' {
        $module = Test-ModuleManifest -Path $script:Manifest -ErrorAction Stop
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be $script:PublicNames
    }

    It 'imports from its folder alone and runs Get-JCSyncEngine and Test-JCRootDN through the packaged engine' {
        $script = "Import-Module '$($script:Manifest)' -ErrorAction Stop; Get-JCSyncEngine | ConvertTo-Json -Compress; Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com' | ConvertTo-Json -Compress"
        $result = & $script:RunIsolated $script
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $lines = @($result.Stdout -split "`n" | Where-Object { $_.Trim() })
        $engine = $lines[0] | ConvertFrom-Json
        $engine.Path | Should -BeExactly (Join-Path -Path $script:Folder -ChildPath 'bin/jcadi-engine')
        $rootDn = $lines[1] | ConvertFrom-Json
        $rootDn.IsValid | Should -BeTrue
        $rootDn.LdapDN | Should -BeExactly 'OU=Corporate Users,DC=example,DC=com'
    }

    It 'serves the about_JumpCloudADI help topic' {
        $result = & $script:RunIsolated "Import-Module '$($script:Manifest)'; (Get-Help about_JumpCloudADI | Out-String)"
        $result.Stdout | Should -Match 'Delegation|delegate'
        $result.Stdout | Should -Match 'Install-JCSyncAgent'
    }

    It 'builds a .nupkg with the nuspec and the module files' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Info.Nupkg)
        try {
            $names = @($zip.Entries | ForEach-Object { $_.FullName })
        }
        finally {
            $zip.Dispose()
        }
        $names | Should -Contain 'JumpCloudADI.nuspec'
        $names | Should -Contain 'JumpCloudADI.psd1'
        $names | Should -Contain 'module/JumpCloudADI.psm1'
        $names | Should -Contain 'bin/jcadi-engine.exe'
        $names | Should -Contain 'bin/jcadi-service.exe'
    }
}
