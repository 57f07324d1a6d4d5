BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force

    $script:CsvFile = Join-Path -Path $TestDrive -ChildPath 'users.csv'
    Set-Content -LiteralPath $script:CsvFile -Value 'FirstName,LastName,Username,Password,Email'

    function New-ImportSplat {
        param([string] $ApiKey = ('Key-' + [guid]::NewGuid().ToString('N')))
        return @{
            Path            = $script:CsvFile
            JumpCloudApiKey = (ConvertTo-SecureString -String $ApiKey -AsPlainText -Force)
        }
    }

    # What the engine answers: two rows and the summary.
    $script:Rows = @(
        @{ RecordType = 'JumpCloudADI.CsvImportResult'; Row = 2; Username = 'ann.lee'; Email = 'ann@example.com'; Status = 'Created'; JumpCloudId = '0123456789abcdef01234567'; Reason = 'created'; ErrorId = $null; Groups = @('Sales'); BoundToDomain = $true; Warnings = @() }
        @{ RecordType = 'JumpCloudADI.CsvImportResult'; Row = 3; Username = 'bob.ray'; Email = 'bob@example.com'; Status = 'Exists'; JumpCloudId = '0123456789abcdef01234568'; Reason = 'already in JumpCloud'; ErrorId = $null; Groups = @(); BoundToDomain = $true; Warnings = @() }
    )
    $script:Summary = @{ RecordType = 'JumpCloudADI.CsvImportSummary'; Path = $script:CsvFile; WhatIf = $false; Rows = 2; Created = 1; Exists = 1; WouldCreate = 0; Invalid = 0; Failed = 0; Skipped = 0; GroupsCreated = @('Sales'); GroupsToCreate = @(); MembershipsAdded = 1; BoundToDomain = 2; Domain = 'DC=example;DC=com'; Encoding = 'UTF-8'; Delimiter = 'comma'; DurationSeconds = 1.5; RowsPerSecond = 1 }

    function ConvertTo-Record {
        param([hashtable] $Fields)
        $record = [pscustomobject]$Fields
        $record.PSObject.TypeNames.Insert(0, [string]$Fields['RecordType'])
        return $record
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Import-JCUserFromCsv' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            foreach ($fields in $script:Rows) {
                ConvertTo-Record -Fields $fields
            }
            $summary = $script:Summary.Clone()
            $summary['WhatIf'] = [bool]$Parameters['whatIf']
            ConvertTo-Record -Fields $summary
        }
    }

    Context 'parameters' {
        It 'takes -Path (position 0, from the pipeline and a FullName property) and a SecureString API key, both mandatory' {
            $path = Get-ParameterInfo -CommandName Import-JCUserFromCsv -ParameterName Path
            $path[0].Mandatory | Should -BeTrue
            $path[0].Position | Should -Be 0
            $path[0].ValueFromPipeline | Should -BeTrue
            $path[0].ValueFromPipelineByPropertyName | Should -BeTrue
            $command = Get-Command -Name Import-JCUserFromCsv
            $command.Parameters['Path'].Aliases | Should -Contain 'FullName'
            (Get-ParameterInfo -CommandName Import-JCUserFromCsv -ParameterName JumpCloudApiKey)[0].Mandatory | Should -BeTrue
            $command.Parameters['JumpCloudApiKey'].ParameterType | Should -Be ([System.Security.SecureString])
            foreach ($name in 'Region', 'JumpCloudUrl', 'OrgId', 'JumpCloudCertificateAuthorityFile', 'JumpCloudTimeoutSeconds', 'BindToDomain', 'Domain', 'SkipInvalidRows', 'RequirePassword', 'Encoding', 'Delimiter', 'Concurrency') {
                $command.Parameters.ContainsKey($name) | Should -BeTrue -Because "-$name is part of the contract"
                (Get-ParameterInfo -CommandName Import-JCUserFromCsv -ParameterName $name)[0].Mandatory | Should -BeFalse
            }
            foreach ($name in 'BindToDomain', 'SkipInvalidRows', 'RequirePassword') {
                $command.Parameters[$name].ParameterType | Should -Be ([switch])
            }
        }

        It 'supports ShouldProcess with ConfirmImpact Medium and declares its output type' {
            $binding = (Get-Command -Name Import-JCUserFromCsv).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
            (Get-Command -Name Import-JCUserFromCsv).OutputType.Name | Should -Contain 'JumpCloudADI.CsvImportResult'
        }

        It 'refuses <Case> before running the engine' -ForEach @(
            @{ Case = 'a concurrency of 0'; Extra = @{ Concurrency = 0 } }
            @{ Case = 'a concurrency of 33'; Extra = @{ Concurrency = 33 } }
            @{ Case = 'an unknown encoding'; Extra = @{ Encoding = 'EBCDIC' } }
            @{ Case = 'an unknown delimiter'; Extra = @{ Delimiter = 'Pipe' } }
            @{ Case = 'a region other than US or EU'; Extra = @{ Region = 'APAC' } }
            @{ Case = 'an organization id that is not 24 hex characters'; Extra = @{ OrgId = 'x' } }
        ) {
            $splat = New-ImportSplat
            { Import-JCUserFromCsv @splat @Extra } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses a file that does not exist (Path.NotFound)' {
            $splat = New-ImportSplat
            $splat.Path = Join-Path -Path $TestDrive -ChildPath 'missing.csv'
            { Import-JCUserFromCsv @splat } | Should -Throw -ErrorId 'Path.NotFound,Import-JCUserFromCsv'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the csv-import request' {
        It 'sends the absolute path, the jumpcloud block and the defaults' {
            $splat = New-ImportSplat
            Push-Location -LiteralPath $TestDrive
            try {
                $splat.Path = './users.csv'
                $results = @(Import-JCUserFromCsv @splat -InformationAction SilentlyContinue)
            }
            finally {
                Pop-Location
            }
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'csv-import'
            $call.CmdletName | Should -BeExactly 'Import-JCUserFromCsv'
            @($call.Parameters.Keys) | Should -Be @('jumpcloud', 'path', 'encoding', 'delimiter', 'skipInvalidRows', 'requirePassword', 'bindToDomain', 'concurrency', 'whatIf')
            $call.Parameters['path'] | Should -BeExactly ((Resolve-Path -LiteralPath $script:CsvFile).ProviderPath)
            $call.Parameters['encoding'] | Should -BeExactly 'auto'
            $call.Parameters['delimiter'] | Should -BeExactly 'auto'
            $call.Parameters['concurrency'] | Should -Be 8
            $call.Parameters['whatIf'] | Should -BeFalse
            foreach ($key in 'skipInvalidRows', 'requirePassword', 'bindToDomain') {
                $call.Parameters[$key] | Should -BeFalse
            }
            @($call.Parameters['jumpcloud'].Keys) | Should -Be @('region', 'apiKey', 'timeoutMs')
            $results.Count | Should -Be 2 -Because 'the rows reach the pipeline, the summary does not'
            $results[0].PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.CsvImportResult'
            @($results | ForEach-Object Status) | Should -Be @('Created', 'Exists')
        }

        It 'sends the switches, encoding, delimiter, concurrency and domain' {
            $splat = New-ImportSplat
            $null = Import-JCUserFromCsv @splat -BindToDomain -Domain 'DC=example;DC=com' -SkipInvalidRows -RequirePassword -Encoding UTF16LE -Delimiter Tab -Concurrency 16 -InformationAction SilentlyContinue
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['bindToDomain'] | Should -BeTrue
            $parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
            $parameters['skipInvalidRows'] | Should -BeTrue
            $parameters['requirePassword'] | Should -BeTrue
            $parameters['encoding'] | Should -BeExactly 'utf16le'
            $parameters['delimiter'] | Should -BeExactly 'tab'
            $parameters['concurrency'] | Should -Be 16
        }

        It 'warns that -Domain without -BindToDomain binds nothing, and does not send it' {
            $splat = New-ImportSplat
            $null = Import-JCUserFromCsv @splat -Domain 'DC=example;DC=com' -InformationAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
            @($warnings).Count | Should -Be 1
            $script:EngineCalls[0].Parameters.Contains('domain') | Should -BeFalse
        }

        It 'sends -JumpCloudUrl as baseUrl with the CA file and timeout' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'sandbox-ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $splat = New-ImportSplat
            $null = Import-JCUserFromCsv @splat -JumpCloudUrl 'https://127.0.0.1:8443' -JumpCloudCertificateAuthorityFile $caFile -JumpCloudTimeoutSeconds 5 -OrgId '677b9b90ceee7040f9000001' -InformationAction SilentlyContinue
            $jumpcloud = $script:EngineCalls[0].Parameters['jumpcloud']
            @($jumpcloud.Keys) | Should -Be @('baseUrl', 'apiKey', 'orgId', 'caFile', 'timeoutMs')
            $jumpcloud['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $jumpcloud['timeoutMs'] | Should -Be 5000
        }

        It 'imports each piped file in turn (Get-ChildItem output)' {
            $second = Join-Path -Path $TestDrive -ChildPath 'more.csv'
            Set-Content -LiteralPath $second -Value 'FirstName,LastName,Username,Password,Email'
            $splat = New-ImportSplat
            $splat.Remove('Path')
            $results = @(Get-Item -LiteralPath $script:CsvFile, $second | Import-JCUserFromCsv @splat -InformationAction SilentlyContinue)
            $results.Count | Should -Be 4
            @($script:EngineCalls | ForEach-Object { Split-Path -Path $_.Parameters['path'] -Leaf }) | Should -Be @('users.csv', 'more.csv')
        }

        It 'writes the summary to the information stream as a JumpCloudADI.CsvImportSummary with a one-line text' {
            $splat = New-ImportSplat
            $null = Import-JCUserFromCsv @splat -InformationAction SilentlyContinue -InformationVariable info
            @($info).Count | Should -Be 1
            $summary = $info[0].MessageData
            $summary.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.CsvImportSummary'
            $summary.Created | Should -Be 1
            @($info[0].Tags) | Should -Contain 'Summary'
            $summary.ToString() | Should -BeExactly 'Imported users.csv (2 rows, UTF-8, comma-separated): 1 created, 1 exist, 0 invalid, 0 failed, 0 skipped; 1 groups created, 1 memberships added; 2 bound to DC=example;DC=com; 1.5 s (1 rows/s).'
        }
    }

    Context 'secrets' {
        It 'puts the API key only in jumpcloud.apiKey, as a SecureString until the bridge' {
            $apiKey = 'Key-' + [guid]::NewGuid().ToString('N')
            $splat = New-ImportSplat -ApiKey $apiKey
            $null = Import-JCUserFromCsv @splat -InformationAction SilentlyContinue
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['jumpcloud']['apiKey'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($apiKey))).Count | Should -Be 1
        }
    }

    Context '-WhatIf and -Confirm' {
        BeforeAll {
            $whatIfSummary = $script:Summary.Clone()
            $whatIfSummary['WhatIf'] = $true
            $whatIfSummary['Created'] = 0
            $whatIfSummary['WouldCreate'] = 1
            $whatIfSummary['GroupsToCreate'] = @('Sales')
            $wouldCreate = $script:Rows[0].Clone()
            $wouldCreate['Status'] = 'WouldCreate'
            $script:WhatIfOutput = @{ 'csv-import' = @($wouldCreate, $script:Rows[1], $whatIfSummary) }
        }

        It '-WhatIf asks the engine for a dry run, returns the rows, and prints the summary as a "What if:" line' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -EngineOutput $script:WhatIfOutput -ArgumentList (New-ImportSplat) -ScriptBlock {
                param($splat)
                Import-JCUserFromCsv @splat -WhatIf -InformationAction SilentlyContinue
            }
            $run.Thrown | Should -BeNullOrEmpty
            @($run.EngineCalls | ForEach-Object { $_.Command }) | Should -Be @('csv-import')
            $run.EngineCalls[0].Parameters['whatIf'] | Should -BeTrue
            @($run.Output | ForEach-Object Status) | Should -Be @('WouldCreate', 'Exists')
            $whatIf = @($run.HostLines | Where-Object { $_ -like 'What if:*' })
            $whatIf.Count | Should -Be 1
            $whatIf[0] | Should -Match 'Would create 1 users from users\.csv \(2 rows, UTF-8, comma-separated\): 1 exist already, 0 invalid; would create the groups Sales'
            $run.Prompts.Count | Should -Be 0
        }

        It '-Confirm answered No runs nothing' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer No -ArgumentList (New-ImportSplat) -ScriptBlock {
                param($splat)
                Import-JCUserFromCsv @splat -Confirm
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.Prompts.Count | Should -Be 1
            $run.EngineCalls.Count | Should -Be 0
        }

        It '-Confirm answered Yes imports' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -Answer Yes -ArgumentList (New-ImportSplat) -ScriptBlock {
                param($splat)
                Import-JCUserFromCsv @splat -Confirm -InformationAction SilentlyContinue
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.EngineCalls.Count | Should -Be 1
            $run.EngineCalls[0].Parameters['whatIf'] | Should -BeFalse
        }
    }

    Context 'errors' {
        It 'lets Csv.ValidationFailed through as a terminating error, after the invalid rows' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                ConvertTo-Record -Fields @{ RecordType = 'JumpCloudADI.CsvImportResult'; Row = 3; Username = 'ann'; Status = 'Invalid'; ErrorId = 'Csv.DuplicateUsername'; Reason = 'Username: also appears on line 5' }
                $exception = New-Object -TypeName System.Exception -ArgumentList '1 of 4 rows are invalid; nothing was created.'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Csv.ValidationFailed', ([System.Management.Automation.ErrorCategory]::InvalidData), 'users.csv'
                $Cmdlet.ThrowTerminatingError($record)
            }
            $splat = New-ImportSplat
            $seen = New-Object -TypeName System.Collections.Generic.List[object]
            { Import-JCUserFromCsv @splat | ForEach-Object { $seen.Add($_) } } | Should -Throw -ErrorId 'Csv.ValidationFailed,Import-JCUserFromCsv'
            $seen.Count | Should -Be 1
            $seen[0].Status | Should -BeExactly 'Invalid'
        }
    }
}
