BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    $script:ManifestPath = Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1'
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/AnsweringHost.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name $script:ManifestPath -Force

    function New-ExportSplat {
        param([string] $Password = ('Pw-' + [guid]::NewGuid().ToString('N')))
        return @{
            Path       = (Join-Path -Path $TestDrive -ChildPath 'users.csv')
            Server     = 'dc1.example.com'
            Credential = (New-TestCredential -UserName 'jcsync@example.com' -Password $Password)
            RootUserDN = 'OU=Corporate Users;DC=example;DC=com'
        }
    }
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Export-JCADUserCsv' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.CsvExportResult'; Path = $Parameters['path']; Users = 3; SkippedComputers = 1; SkippedProtected = 2 }
        }
    }

    Context 'parameters' {
        It 'needs -Path (position 0), -Server and -Credential; the rest is optional' {
            $command = Get-Command -Name Export-JCADUserCsv
            (Get-ParameterInfo -CommandName Export-JCADUserCsv -ParameterName Path)[0].Position | Should -Be 0
            foreach ($name in 'Path', 'Server', 'Credential') {
                (Get-ParameterInfo -CommandName Export-JCADUserCsv -ParameterName $name)[0].Mandatory | Should -BeTrue -Because "-$name is needed"
            }
            foreach ($name in 'RootUserDN', 'LdapFilter', 'AttributeFilter', 'IncludeGroups', 'IncludeProtected', 'ExcludeDisabled', 'NoClobber', 'Port', 'LdapMode', 'CertificateAuthorityFile', 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk', 'TimeoutSeconds') {
                $command.Parameters.ContainsKey($name) | Should -BeTrue -Because "-$name is part of the contract"
                (Get-ParameterInfo -CommandName Export-JCADUserCsv -ParameterName $name)[0].Mandatory | Should -BeFalse
            }
            $command.Parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            $command.Parameters['AttributeFilter'].ParameterType | Should -Be ([System.Collections.IDictionary])
            foreach ($name in 'IncludeGroups', 'IncludeProtected', 'ExcludeDisabled', 'NoClobber') {
                $command.Parameters[$name].ParameterType | Should -Be ([switch])
            }
        }

        It 'supports ShouldProcess with ConfirmImpact Low and declares its output type' {
            $binding = (Get-Command -Name Export-JCADUserCsv).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Low)
            (Get-Command -Name Export-JCADUserCsv).OutputType.Name | Should -Contain 'JumpCloudADI.CsvExportResult'
        }

        It 'refuses to run without -RootUserDN, -LdapFilter or -AttributeFilter (Csv.NoUserSelection)' {
            $splat = New-ExportSplat
            $splat.Remove('RootUserDN')
            { Export-JCADUserCsv @splat } | Should -Throw -ErrorId 'Csv.NoUserSelection,Export-JCADUserCsv'
            { Export-JCADUserCsv @splat -AttributeFilter @{} } | Should -Throw -ErrorId 'Csv.NoUserSelection,Export-JCADUserCsv'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses a -Path that is a folder (Path.Invalid)' {
            $splat = New-ExportSplat
            $splat.Path = $TestDrive
            { Export-JCADUserCsv @splat } | Should -Throw -ErrorId 'Path.Invalid,Export-JCADUserCsv'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'refuses an LDAP mode that does not exist' {
            $splat = New-ExportSplat
            { Export-JCADUserCsv @splat -LdapMode Kerberos } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'the csv-export request' {
        It 'sends the dc block, the root DN, the absolute path and the defaults' {
            $splat = New-ExportSplat
            Push-Location -LiteralPath $TestDrive
            try {
                $splat.Path = './out.csv'
                $result = Export-JCADUserCsv @splat
            }
            finally {
                Pop-Location
            }
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'csv-export'
            $call.CmdletName | Should -BeExactly 'Export-JCADUserCsv'
            @($call.Parameters.Keys) | Should -Be @('dc', 'rootUserDN', 'path', 'includeGroups', 'includeProtected', 'excludeDisabled', 'noClobber')
            $call.Parameters['rootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $call.Parameters['path'] | Should -BeExactly (Join-Path -Path ((Resolve-Path -LiteralPath $TestDrive).ProviderPath) -ChildPath 'out.csv')
            foreach ($key in 'includeGroups', 'includeProtected', 'excludeDisabled', 'noClobber') {
                $call.Parameters[$key] | Should -BeFalse
            }
            $dc = $call.Parameters['dc']
            $dc['host'] | Should -BeExactly 'dc1.example.com'
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
            $dc['mode'] | Should -BeExactly 'ldaps'
            $dc['bindDN'] | Should -BeExactly 'jcsync@example.com'
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.CsvExportResult'
        }

        It 'sends -LdapFilter as given and -AttributeFilter as strings (the engine escapes them)' {
            $splat = New-ExportSplat
            $splat.Remove('RootUserDN')
            $null = Export-JCADUserCsv @splat -LdapFilter '(|(department=Sales*)(title=*manager*))' -AttributeFilter @{ company = 'R&D (EU)'; employeeType = 1 }
            $parameters = $script:EngineCalls[0].Parameters
            $parameters.Contains('rootUserDN') | Should -BeFalse
            $parameters['ldapFilter'] | Should -BeExactly '(|(department=Sales*)(title=*manager*))'
            $parameters['attributeFilter']['company'] | Should -BeExactly 'R&D (EU)'
            $parameters['attributeFilter']['employeeType'] | Should -BeOfType [string]
        }

        It 'sends the switches' {
            $splat = New-ExportSplat
            $null = Export-JCADUserCsv @splat -IncludeGroups -IncludeProtected -ExcludeDisabled -NoClobber
            $parameters = $script:EngineCalls[0].Parameters
            foreach ($key in 'includeGroups', 'includeProtected', 'excludeDisabled', 'noClobber') {
                $parameters[$key] | Should -BeTrue -Because "$key was given"
            }
        }

        It 'uses port 389 for StartTls and sends the CA file and timeout' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            $splat = New-ExportSplat
            $null = Export-JCADUserCsv @splat -LdapMode StartTls -CertificateAuthorityFile $caFile -TimeoutSeconds 4
            $dc = $script:EngineCalls[0].Parameters['dc']
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (389 for starttls and ldap)'
            $dc['mode'] | Should -BeExactly 'starttls'
            $dc['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            $dc['timeoutMs'] | Should -Be 4000
        }

        It 'puts the bind password only in dc.bindPassword, as a SecureString until the bridge' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $splat = New-ExportSplat -Password $secret
            $null = Export-JCADUserCsv @splat
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['dc']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
        }
    }

    Context '-WhatIf' {
        It 'says what it would write and runs nothing' {
            $run = Invoke-WithAnsweringHost -ManifestPath $script:ManifestPath -ArgumentList (New-ExportSplat) -ScriptBlock {
                param($splat)
                Export-JCADUserCsv @splat -WhatIf
            }
            $run.Thrown | Should -BeNullOrEmpty
            $run.EngineCalls.Count | Should -Be 0
            $run.Output.Count | Should -Be 0
            $whatIf = @($run.HostLines | Where-Object { $_ -like 'What if:*' })
            $whatIf.Count | Should -Be 1
            $whatIf[0] | Should -Match 'Export the AD users under OU=Corporate Users;DC=example;DC=com from dc1\.example\.com" on target ".*users\.csv"'
        }
    }

    Context 'errors' {
        It 'lets Csv.OutputExists through as a terminating error of the cmdlet' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'The file exists'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Csv.OutputExists', ([System.Management.Automation.ErrorCategory]::ResourceExists), 'users.csv'
                $Cmdlet.ThrowTerminatingError($record)
            }
            $splat = New-ExportSplat
            { Export-JCADUserCsv @splat -NoClobber } | Should -Throw -ErrorId 'Csv.OutputExists,Export-JCADUserCsv'
        }
    }
}
