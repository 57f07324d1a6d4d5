BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    function New-Typed {
        param([hashtable] $Fields, [string] $TypeName)
        $record = [pscustomobject]$Fields
        $record.PSObject.TypeNames.Insert(0, $TypeName)
        return $record
    }
    $script:Plan = @(
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'createUser'; Target = 'ann.lee'; DN = 'CN=ann.lee,OU=Staff,DC=example,DC=com'; Reason = 'new in scope'; Changes = @([pscustomobject]@{ Attribute = 'givenName'; Before = ''; After = 'Ann' }) })
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'updateUser'; Target = 'bob.ray'; DN = 'CN=bob.ray,OU=Staff,DC=example,DC=com'; Reason = 'attributes changed in JumpCloud'; Changes = @([pscustomobject]@{ Attribute = 'sn'; Before = 'Lee'; After = '<script>alert(1)</script>' }) })
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'renameUser'; Target = 'carl.new'; DN = 'CN=carl.old,OU=Staff,DC=example,DC=com'; NewDN = 'CN=carl.new,OU=Staff,DC=example,DC=com'; Reason = 'username changed'; Changes = @() })
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'addMember'; Target = 'ann.lee'; Group = 'Sales'; DN = 'CN=ann.lee,OU=Staff,DC=example,DC=com'; Reason = 'member in JumpCloud'; Changes = @() })
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'skip'; Target = 'cher'; Code = 'MissingName'; DN = $null; Reason = 'has no last name in JumpCloud'; Changes = @() })
        (New-Typed -TypeName 'JumpCloudADI.SyncPlanOperation' -Fields @{ Operation = 'skip'; Target = 'jo'; Code = 'NameTaken'; DN = $null; Reason = 'the logon name is used elsewhere'; Changes = @() })
    )
    $script:Checks = @(
        (New-Typed -TypeName 'JumpCloudADI.RehearsalCheck' -Fields @{ Step = 1; Area = 'Sync'; Check = 'Plan'; Status = 'Pass'; Reason = ''; Evidence = 'createUser 3'; Seconds = 0.5 })
        (New-Typed -TypeName 'JumpCloudADI.RehearsalCheck' -Fields @{ Step = 2; Area = 'JumpCloud changes'; Check = 'Rename'; Status = 'Fail'; Reason = 'not seen within 90 s'; Evidence = ''; Seconds = 90 })
        (New-Typed -TypeName 'JumpCloudADI.RehearsalCheck' -Fields @{ Step = 3; Area = 'Windows host'; Check = 'DPAPI round-trip'; Status = 'Skipped'; Reason = 'needs Windows'; Evidence = ''; Seconds = $null })
    )
    function Get-Rows {
        param([string] $Html)
        return @([regex]::Matches($Html, '<tr class="row [^"]*"') | ForEach-Object { $_.Value })
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Export-JCSyncReport' {
    It 'writes a plan as one self-contained page: counts by operation, before and after, the fix for each skip' {
        $path = Join-Path -Path $TestDrive -ChildPath 'plan.html'
        $file = $script:Plan | Export-JCSyncReport -Path $path
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $path
        $html = [System.IO.File]::ReadAllText($path)
        $html | Should -Match '^<!DOCTYPE html>'
        (Get-Rows -Html $html).Count | Should -Be 6
        $html | Should -Match '<div class="card c-skip" data-count="skip"><div class="v">2</div>'
        $html | Should -Match '<div class="card c-createUser" data-count="createUser"><div class="v">1</div>'
        $html | Should -Match '<div class="card total"><div class="v">6</div><div class="k">operations</div>'
        $html | Should -Match '<span class="attr">sn</span> <span class="before">Lee</span> <span class="arrow">&rarr;</span> <span class="after">&lt;script&gt;alert\(1\)&lt;/script&gt;</span>'
        $html | Should -Match 'CN=carl.old,OU=Staff,DC=example,DC=com &rarr; CN=carl.new,OU=Staff,DC=example,DC=com'
        $html | Should -Match 'ann.lee &rarr; Sales'
        $html | Should -Match '<span class="code">MissingName</span></td><td class="fix">Add the missing first or last name to the user in JumpCloud.</td>'
        $html | Should -Match '<span class="code">NameTaken</span></td><td class="fix">Rename the JumpCloud user or group'
        $html | Should -Match '<input id="filter" type="search"'
        $html | Should -Match '@media print\{'
    }

    It 'loads nothing from anywhere: no external script, style, font or image' {
        $path = Join-Path -Path $TestDrive -ChildPath 'offline.html'
        $null = $script:Plan | Export-JCSyncReport -Path $path
        $html = [System.IO.File]::ReadAllText($path)
        $html | Should -Not -Match '<script[^>]+src='
        $html | Should -Not -Match '<link'
        $html | Should -Not -Match '@import|url\(|@font-face'
        $html | Should -Not -Match '(?i)https?://'
        $html | Should -Not -Match '<img'
        $html | Should -Not -Match '<script>alert'
    }

    It 'writes rehearsal checks with the counts by status and one row per check' {
        $path = Join-Path -Path $TestDrive -ChildPath 'rehearsal.html'
        $null = $script:Checks | Export-JCSyncReport -Path $path -Note 'CHG0042'
        $html = [System.IO.File]::ReadAllText($path)
        $html | Should -Match '<title>JumpCloudADI rehearsal</title>'
        $html | Should -Match '<p>CHG0042</p>'
        (Get-Rows -Html $html) | Should -Be @('<tr class="row st-Pass"', '<tr class="row st-Fail"', '<tr class="row st-Skipped"')
        foreach ($status in 'Pass', 'Fail', 'Skipped') {
            $html | Should -Match ('<div class="card c-{0}" data-count="{0}"><div class="v">1</div>' -f $status)
        }
        $html | Should -Match '<td class="num">90.0 s</td><td>not seen within 90 s</td>'
    }

    It 'writes an empty plan as "nothing to do"' {
        $path = Join-Path -Path $TestDrive -ChildPath 'empty.html'
        $null = @() | Export-JCSyncReport -Path $path
        [System.IO.File]::ReadAllText($path) | Should -Match 'Nothing to do: AD already matches JumpCloud.'
    }

    It 'replaces an existing file only with -Force' {
        $path = Join-Path -Path $TestDrive -ChildPath 'twice.html'
        Set-Content -LiteralPath $path -Value 'old'
        { $script:Plan | Export-JCSyncReport -Path $path } | Should -Throw -ErrorId 'Report.FileExists,Export-JCSyncReport'
        Get-Content -LiteralPath $path -Raw | Should -Match '^old'
        $null = $script:Plan | Export-JCSyncReport -Path $path -Force
        Get-Content -LiteralPath $path -Raw | Should -Match '^<!DOCTYPE html>'
        @(Get-ChildItem -LiteralPath $TestDrive -Filter 'twice.html.*.tmp').Count | Should -Be 0
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path -Path $TestDrive -ChildPath 'whatif.html'
        $result = $script:Plan | Export-JCSyncReport -Path $path -WhatIf
        $result | Should -BeNullOrEmpty
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses input that is neither a plan nor rehearsal checks, and a mix of both' {
        { [pscustomobject]@{ Name = 'x' } | Export-JCSyncReport -Path (Join-Path -Path $TestDrive -ChildPath 'bad.html') } | Should -Throw -ErrorId 'Report.UnknownInput,Export-JCSyncReport'
        { @($script:Plan[0], $script:Checks[0]) | Export-JCSyncReport -Path (Join-Path -Path $TestDrive -ChildPath 'mixed.html') } | Should -Throw -ErrorId 'Report.MixedInput,Export-JCSyncReport'
        Test-Path -LiteralPath (Join-Path -Path $TestDrive -ChildPath 'mixed.html') | Should -BeFalse
    }

    It 'refuses a folder that does not exist' {
        { $script:Plan | Export-JCSyncReport -Path (Join-Path -Path $TestDrive -ChildPath 'no/such/plan.html') } | Should -Throw -ErrorId 'Report.FolderMissing,Export-JCSyncReport'
    }
}
