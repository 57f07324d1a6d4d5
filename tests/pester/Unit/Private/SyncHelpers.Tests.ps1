# The private helpers behind Invoke-JCSync and Get-JCSyncPlan: NewJCJumpCloudBlock (the one place
# that describes a JumpCloud connection for the engine), ResolveJCPath and FormatJCPlanOperation.

BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force

    $script:ApiKey = ConvertTo-SecureString -String 'Key-123' -AsPlainText -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'NewJCJumpCloudBlock' {
    # Called without -Cmdlet, the helpers throw on their own behalf: the error id is then
    # '<id>,NewJCJumpCloudBlock' (the public cmdlets pass their $PSCmdlet).
    It 'defaults to region us, the timeout in ms, and keeps the key a SecureString' {
        $block = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } {
            NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudTimeoutSeconds = 30 }
        }
        @($block.Keys) | Should -Be @('region', 'apiKey', 'timeoutMs')
        $block['region'] | Should -BeExactly 'us'
        $block['timeoutMs'] | Should -Be 30000
        $block['apiKey'] | Should -BeOfType [System.Security.SecureString]
        Get-PlainText -SecureString $block['apiKey'] | Should -BeExactly 'Key-123'
    }

    It 'sends -Region "<Region>" as <Sent>' -ForEach @(
        @{ Region = 'US'; Sent = 'us' }
        @{ Region = 'eu'; Sent = 'eu' }
        @{ Region = 'IN'; Sent = 'in' }
        @{ Region = ''; Sent = 'us' }
    ) {
        $block = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Region = $Region } {
            NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; Region = $Region; JumpCloudTimeoutSeconds = 5 }
        }
        $block['region'] | Should -BeExactly $Sent
    }

    It 'refuses a region JumpCloud does not publish (Region.Invalid), naming the valid ones' {
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; Region = 'APAC'; JumpCloudTimeoutSeconds = 5 }
            }
        } | Should -Throw -ErrorId 'Region.Invalid,NewJCJumpCloudBlock' -ExpectedMessage '*US, EU, IN*'
    }

    It 'every cmdlet with -Region validates against the same list as the engine (US, EU, IN)' {
        $regions = InModuleScope JumpCloudADI { GetJCRegionList }
        $engineSource = Get-Content -Raw -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'engine/src/jumpcloud/connection.ts')
        $engineRegions = [regex]::Matches(($engineSource -split 'export const REGIONS = \{')[1].Split(';')[0], '(?m)^\s+([a-z]+): \{') | ForEach-Object { $_.Groups[1].Value.ToUpperInvariant() }
        @($engineRegions) | Should -Be @($regions)
        $withRegion = @(Get-Command -Module JumpCloudADI | Where-Object { $_.Parameters.ContainsKey('Region') })
        $withRegion.Count | Should -BeGreaterThan 5
        foreach ($command in $withRegion) {
            $set = $command.Parameters['Region'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($set.ValidValues) | Should -Be @($regions) -Because "$($command.Name) -Region"
        }
    }

    It 'sends a URL as baseUrl (no region), with orgId and an absolute caFile, in protocol order' {
        $caFile = Join-Path -Path $TestDrive -ChildPath 'ca.pem'
        Set-Content -LiteralPath $caFile -Value 'x'
        $block = InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } {
            NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudUrl = 'https://127.0.0.1:8443/'; OrgId = '677b9b90ceee7040f9000001'; JumpCloudCertificateAuthorityFile = 'TestDrive:/ca.pem'; JumpCloudTimeoutSeconds = 7 }
        }
        @($block.Keys) | Should -Be @('baseUrl', 'apiKey', 'orgId', 'caFile', 'timeoutMs')
        $block['baseUrl'] | Should -BeExactly 'https://127.0.0.1:8443/'
        $block['orgId'] | Should -BeExactly '677b9b90ceee7040f9000001'
        $block['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
        [System.IO.Path]::IsPathRooted($block['caFile']) | Should -BeTrue
        $block['timeoutMs'] | Should -Be 7000
    }

    It 'refuses a URL and a region together (JumpCloudUrl.RegionConflict)' {
        $caught = $null
        try {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudUrl = 'https://127.0.0.1:8443'; Region = 'US'; JumpCloudTimeoutSeconds = 5 }
            }
        }
        catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -BeExactly 'JumpCloudUrl.RegionConflict,NewJCJumpCloudBlock'
        $caught.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidArgument)
        $caught.Exception.Message | Should -Match '-JumpCloudUrl or -Region'
    }

    It 'refuses the URL <Url> (JumpCloudUrl.Invalid)' -ForEach @(
        @{ Url = 'http://console.jumpcloud.com' }
        @{ Url = 'ftp://console.jumpcloud.com' }
        @{ Url = '/relative/path' }
        @{ Url = 'https://admin:pw@console.jumpcloud.com' }
        @{ Url = 'https://console.jumpcloud.com/?x=1' }
        @{ Url = 'https://console.jumpcloud.com#frag' }
    ) {
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Url = $Url } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudUrl = $Url; JumpCloudTimeoutSeconds = 5 }
            }
        } | Should -Throw -ErrorId 'JumpCloudUrl.Invalid,NewJCJumpCloudBlock'
    }

    It 'refuses a CA file that does not exist (JumpCloudCertificateAuthorityFile.NotFound)' {
        {
            InModuleScope JumpCloudADI -Parameters @{ Key = $script:ApiKey; Ca = (Join-Path -Path $TestDrive -ChildPath 'none.pem') } {
                NewJCJumpCloudBlock -BoundParameters @{ JumpCloudApiKey = $Key; JumpCloudCertificateAuthorityFile = $Ca; JumpCloudTimeoutSeconds = 5 }
            }
        } | Should -Throw -ErrorId 'JumpCloudCertificateAuthorityFile.NotFound,NewJCJumpCloudBlock'
    }
}

Describe 'ResolveJCPath' {
    It 'resolves a relative path against the current location, not the process directory' {
        Push-Location -LiteralPath $TestDrive
        try {
            $resolved = InModuleScope JumpCloudADI {
                ResolveJCPath -Path 'sub/file.jsonl' -ParameterName 'JournalPath'
            }
        }
        finally {
            Pop-Location
        }
        [System.IO.Directory]::GetCurrentDirectory() | Should -Not -Be ((Resolve-Path -LiteralPath $TestDrive).ProviderPath)
        $resolved | Should -BeExactly (Join-Path -Path (Join-Path -Path ((Resolve-Path -LiteralPath $TestDrive).ProviderPath) -ChildPath 'sub') -ChildPath 'file.jsonl')
    }

    It 'refuses a path on another provider (JournalPath.Invalid)' {
        {
            InModuleScope JumpCloudADI {
                ResolveJCPath -Path 'Env:/PATH' -ParameterName 'JournalPath'
            }
        } | Should -Throw -ErrorId 'JournalPath.Invalid,ResolveJCPath'
    }

    It 'with -MustExist, refuses a missing file and a folder (<Case>)' -ForEach @(
        @{ Case = 'missing'; Leaf = 'missing.pem' }
        @{ Case = 'folder'; Leaf = '' }
    ) {
        $path = Join-Path -Path $TestDrive -ChildPath $Leaf
        {
            InModuleScope JumpCloudADI -Parameters @{ Path = $path } {
                ResolveJCPath -Path $Path -ParameterName 'CaFile' -MustExist
            }
        } | Should -Throw -ErrorId 'CaFile.NotFound,ResolveJCPath'
    }
}

Describe 'FormatJCPlanOperation' {
    It 'describes <Operation> as "<Action>" on "<Target>"' -ForEach @(
        @{ Operation = 'createUser'; Fields = @{ Target = 'ann'; DN = 'CN=ann,OU=S'; Reason = 'new in scope'; Enabled = $false; Changes = @(@{ Attribute = 'sn'; Before = ''; After = 'Lee' }) }; Action = 'Create user (disabled)'; Target = "ann at CN=ann,OU=S: sn: 'Lee' (new in scope)" }
        @{ Operation = 'updateUser'; Fields = @{ Target = 'bob'; DN = 'CN=bob,OU=S'; Reason = 'adopted'; Adopt = $true; Changes = @(@{ Attribute = 'mail'; Before = 'a@x'; After = 'b@x' }) }; Action = 'Update user (adopt an existing object)'; Target = "bob at CN=bob,OU=S: mail: 'a@x' -> 'b@x' (adopted)" }
        @{ Operation = 'renameGroup'; Fields = @{ Target = 'New'; DN = 'CN=Old,OU=S'; NewDN = 'CN=New,OU=S'; Reason = 'renamed'; Changes = @() }; Action = 'Rename group'; Target = 'New from CN=Old,OU=S to CN=New,OU=S (renamed)' }
        @{ Operation = 'vacateGroupName'; Fields = @{ Target = 'Sales'; DN = 'CN=Sales,OU=S'; NewDN = 'CN=jcsync-0123456789ab,OU=S'; Reason = 'name needed'; Changes = @(@{ Attribute = 'sAMAccountName'; Before = 'Sales'; After = 'jcsync-0123456789ab' }) }; Action = 'Rename group to a temporary name'; Target = "Sales from CN=Sales,OU=S to CN=jcsync-0123456789ab,OU=S: sAMAccountName: 'Sales' -> 'jcsync-0123456789ab' (name needed)" }
        @{ Operation = 'enableUser'; Fields = @{ Target = 'cy'; DN = 'CN=cy,OU=S'; Reason = 'active again in JumpCloud'; Changes = @() }; Action = 'Enable user'; Target = 'cy at CN=cy,OU=S (active again in JumpCloud)' }
        @{ Operation = 'disableUser'; Fields = @{ Target = 'dee'; DN = 'CN=dee,OU=S'; Reason = 'suspended in JumpCloud'; Changes = @() }; Action = 'Disable user'; Target = 'dee at CN=dee,OU=S (suspended in JumpCloud)' }
        @{ Operation = 'unbindGroup'; Fields = @{ Target = 'Old'; DN = 'CN=Old,OU=S'; Reason = 'unbound'; Changes = @() }; Action = 'Keep group, mark unbound'; Target = 'Old at CN=Old,OU=S (unbound)' }
        @{ Operation = 'rebindGroup'; Fields = @{ Target = 'Old'; DN = 'CN=Old,OU=S'; Reason = 'bound again'; Changes = @() }; Action = 'Mark group bound again'; Target = 'Old at CN=Old,OU=S (bound again)' }
        @{ Operation = 'addMember'; Fields = @{ Target = 'ann'; Group = 'Sales'; DN = 'CN=ann,OU=S'; Reason = 'member in JumpCloud'; Changes = @() }; Action = 'Add group member'; Target = 'ann to group Sales (member in JumpCloud)' }
        @{ Operation = 'removeMember'; Fields = @{ Target = 'ann'; Group = 'Sales'; DN = 'CN=ann,OU=S'; Reason = 'not a member'; Changes = @() }; Action = 'Remove group member'; Target = 'ann from group Sales (not a member)' }
        @{ Operation = 'futureKind'; Fields = @{ Target = 'x'; DN = $null; Reason = 'new'; Changes = $null }; Action = 'futureKind'; Target = 'x (new)' }
    ) {
        $record = [pscustomobject](@{ Operation = $Operation } + $Fields)
        $module = Get-Module -Name JumpCloudADI
        $text = & $module { param($operation) FormatJCPlanOperation -Operation $operation } $record
        $text.Action | Should -BeExactly $Action
        $text.Target | Should -BeExactly $Target
    }
}
