BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Test-JCRootDN' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.RootDNResult'; RootUserDN = $Parameters['rootUserDN']; IsValid = $false; Problems = @('mocked') }
        }
    }

    Context 'parameters' {
        It 'RootUserDN is mandatory, position 0, from the pipeline by value and by property name, in every set' {
            $attributes = Get-ParameterInfo -CommandName Test-JCRootDN -ParameterName RootUserDN
            $attributes.Count | Should -Be 1
            $attributes[0].ParameterSetName | Should -Be '__AllParameterSets'
            $attributes[0].Mandatory | Should -BeTrue
            $attributes[0].Position | Should -Be 0
            $attributes[0].ValueFromPipeline | Should -BeTrue
            $attributes[0].ValueFromPipelineByPropertyName | Should -BeTrue
            (Get-Command -Name Test-JCRootDN).Parameters['RootUserDN'].ParameterType | Should -Be ([string])
        }

        It 'has the Offline set by default and a Server set where Server and Credential are mandatory' {
            $command = Get-Command -Name Test-JCRootDN
            $command.DefaultParameterSet | Should -Be 'Offline'
            @($command.ParameterSets.Name | Sort-Object) | Should -Be @('Offline', 'Server')
            foreach ($name in 'Server', 'Credential') {
                $attributes = Get-ParameterInfo -CommandName Test-JCRootDN -ParameterName $name
                $attributes.Count | Should -Be 1
                $attributes[0].ParameterSetName | Should -Be 'Server'
                $attributes[0].Mandatory | Should -BeTrue
            }
            foreach ($name in 'Port', 'CertificateAuthorityFile', 'TimeoutSeconds') {
                $attributes = Get-ParameterInfo -CommandName Test-JCRootDN -ParameterName $name
                $attributes[0].ParameterSetName | Should -Be 'Server'
                $attributes[0].Mandatory | Should -BeFalse
            }
            (Get-ParameterInfo -CommandName Test-JCRootDN -ParameterName Domain)[0].Mandatory | Should -BeFalse
            $command.Parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            $command.Parameters['Port'].ParameterType | Should -Be ([int])
        }

        It 'refuses a port outside 1-65535' {
            { Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential (New-TestCredential) -Port 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'offline' {
        It 'sends test-rootdn with only rootUserDN' {
            $result = Test-JCRootDN -RootUserDN 'OU=Corporate Users;DC=example;DC=com'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'test-rootdn'
            $call.CmdletName | Should -BeExactly 'Test-JCRootDN'
            @($call.Parameters.Keys) | Should -Be @('rootUserDN')
            $call.Parameters['rootUserDN'] | Should -BeExactly 'OU=Corporate Users;DC=example;DC=com'
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.RootDNResult'
        }

        It 'adds domain when -Domain is given' {
            $null = Test-JCRootDN 'CN=Users;DC=example;DC=com' -Domain 'DC=example;DC=com'
            @($script:EngineCalls[0].Parameters.Keys) | Should -Be @('rootUserDN', 'domain')
            $script:EngineCalls[0].Parameters['domain'] | Should -BeExactly 'DC=example;DC=com'
        }

        It 'calls the engine once per pipeline item and streams one result each, in order' {
            $dns = 'CN=Users;DC=example;DC=com', 'OU=A;DC=example;DC=com', 'OU=B;DC=example;DC=com'
            $results = @($dns | Test-JCRootDN -Domain 'DC=example;DC=com')
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 3 -Exactly
            @($script:EngineCalls | ForEach-Object { $_.Parameters['rootUserDN'] }) | Should -Be $dns
            @($script:EngineCalls | ForEach-Object { $_.Parameters['domain'] }) | Should -Be @('DC=example;DC=com', 'DC=example;DC=com', 'DC=example;DC=com')
            @($results | ForEach-Object { $_.RootUserDN }) | Should -Be $dns
        }

        It 'binds RootUserDN from a property of piped objects' {
            $null = @([pscustomobject]@{ RootUserDN = 'OU=A;DC=example;DC=com' }, [pscustomobject]@{ RootUserDN = 'OU=B;DC=example;DC=com' }) | Test-JCRootDN
            @($script:EngineCalls | ForEach-Object { $_.Parameters['rootUserDN'] }) | Should -Be @('OU=A;DC=example;DC=com', 'OU=B;DC=example;DC=com')
        }

        It 'reports a malformed DN as the engine''s result, not as an error' {
            $result = Test-JCRootDN 'ou=x,dc=example,dc=com' -ErrorVariable errors
            $errors.Count | Should -Be 0
            $result.IsValid | Should -BeFalse
        }
    }

    Context 'with -Server' {
        It 'builds the dc block as params.server (LDAPS, the default port of the engine, 10 s, user name as given)' {
            $credential = New-TestCredential -UserName 'Administrator@example.com' -Password 'Secret-For-Server-1'
            $null = Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com' -Server 'dc1.example.com' -Credential $credential
            $parameters = $script:EngineCalls[0].Parameters
            @($parameters.Keys) | Should -Be @('rootUserDN', 'server')
            $server = $parameters['server']
            @($server.Keys) | Should -Be @('host', 'mode', 'bindDN', 'bindPassword', 'timeoutMs', 'allowInsecure', 'insecureRiskAcknowledged')
            $server['host'] | Should -BeExactly 'dc1.example.com'
            $server.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
            $server['mode'] | Should -BeExactly 'ldaps'
            $server['bindDN'] | Should -BeExactly 'Administrator@example.com'
            $server['timeoutMs'] | Should -Be 10000
            $server['allowInsecure'] | Should -BeFalse
            $server['insecureRiskAcknowledged'] | Should -BeFalse
        }

        It 'keeps the password a SecureString until the bridge, and only in server.bindPassword' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $credential = New-TestCredential -Password $secret
            $null = Test-JCRootDN 'OU=Corporate Users;DC=example;DC=com' -Server 'dc1.example.com' -Credential $credential
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['server']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            Get-PlainText -SecureString $parameters['server']['bindPassword'] | Should -BeExactly $secret

            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            ($json | ConvertFrom-Json).server.bindPassword | Should -BeExactly $secret
        }

        It 'sends -Port and -TimeoutSeconds' {
            $null = Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server '127.0.0.1' -Port 10636 -TimeoutSeconds 3 -Credential (New-TestCredential)
            $server = $script:EngineCalls[0].Parameters['server']
            $server['port'] | Should -Be 10636
            $server['timeoutMs'] | Should -Be 3000
        }

        It 'resolves a relative -CertificateAuthorityFile to an absolute file-system path' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'ca.pem'
            Set-Content -LiteralPath $caFile -Value 'not really a certificate'
            Push-Location -LiteralPath $TestDrive
            try {
                $null = Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential (New-TestCredential) -CertificateAuthorityFile 'ca.pem'
            }
            finally {
                Pop-Location
            }
            $server = $script:EngineCalls[0].Parameters['server']
            $server['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
            [System.IO.Path]::IsPathRooted($server['caFile']) | Should -BeTrue
        }

        It 'turns a PowerShell drive path for -CertificateAuthorityFile into a file-system path' {
            Set-Content -LiteralPath (Join-Path -Path $TestDrive -ChildPath 'drive-ca.pem') -Value 'x'
            $null = Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential (New-TestCredential) -CertificateAuthorityFile 'TestDrive:\drive-ca.pem'
            $script:EngineCalls[0].Parameters['server']['caFile'] | Should -Not -Match '^TestDrive:'
            Test-Path -LiteralPath $script:EngineCalls[0].Parameters['server']['caFile'] | Should -BeTrue
        }

        It 'stops with CertificateAuthorityFile.NotFound, before the engine, when the CA file is missing' {
            { Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential (New-TestCredential) -CertificateAuthorityFile (Join-Path -Path $TestDrive -ChildPath 'missing.pem') } |
                Should -Throw -ErrorId 'CertificateAuthorityFile.NotFound,Test-JCRootDN'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }

        It 'sends the same server block for every piped DN' {
            $null = 'OU=A;DC=example;DC=com', 'OU=B;DC=example;DC=com' | Test-JCRootDN -Server dc1 -Credential (New-TestCredential)
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 2 -Exactly
            $script:EngineCalls[1].Parameters['server']['host'] | Should -BeExactly 'dc1'
        }
    }

    Context 'errors' {
        It 'lets a terminating engine error through with its id, attributed to the cmdlet' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'cannot reach'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'AD.Unreachable', ([System.Management.Automation.ErrorCategory]::ConnectionError), 'dc1'
                $Cmdlet.ThrowTerminatingError($record)
            }
            { Test-JCRootDN 'CN=Users;DC=example;DC=com' -Server dc1 -Credential (New-TestCredential) } | Should -Throw -ErrorId 'AD.Unreachable,Test-JCRootDN'
        }
    }
}
