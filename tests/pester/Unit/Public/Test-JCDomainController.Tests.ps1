BeforeAll {
    $script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../../..')).ProviderPath
    . (Join-Path -Path $PSScriptRoot -ChildPath '../../Helpers/MockEngine.ps1')
    Get-Module -Name JumpCloudADI | Remove-Module -Force
    Import-Module -Name (Join-Path -Path $script:RepoRoot -ChildPath 'JumpCloudADI.psd1') -Force
}

AfterAll {
    Get-Module -Name JumpCloudADI | Remove-Module -Force
}

Describe 'Test-JCDomainController' {
    BeforeEach {
        $script:EngineCalls = New-Object -TypeName System.Collections.Generic.List[object]
        Mock -ModuleName JumpCloudADI InvokeJCEngine {
            $script:EngineCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $Parameters; CmdletName = $Cmdlet.MyInvocation.MyCommand.Name })
            [pscustomobject]@{ PSTypeName = 'JumpCloudADI.DomainControllerInfo'; Server = $Parameters['dc']['host']; DefaultNamingContext = 'DC=example,DC=com' }
        }
        $script:Credential = New-TestCredential -UserName 'jcsync@example.com'
    }

    Context 'parameters' {
        It 'Server is mandatory, position 0, from the pipeline by value and by property name' {
            $attributes = Get-ParameterInfo -CommandName Test-JCDomainController -ParameterName Server
            $attributes[0].Mandatory | Should -BeTrue
            $attributes[0].Position | Should -Be 0
            $attributes[0].ValueFromPipeline | Should -BeTrue
            $attributes[0].ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'Credential is a mandatory PSCredential; the rest is optional' {
            $command = Get-Command -Name Test-JCDomainController
            (Get-ParameterInfo -CommandName Test-JCDomainController -ParameterName Credential)[0].Mandatory | Should -BeTrue
            $command.Parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
            foreach ($name in 'Port', 'LdapMode', 'CertificateAuthorityFile', 'RootUserDN', 'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk', 'TimeoutSeconds') {
                $command.Parameters.ContainsKey($name) | Should -BeTrue -Because "-$name is part of the contract"
                (Get-ParameterInfo -CommandName Test-JCDomainController -ParameterName $name)[0].Mandatory | Should -BeFalse
            }
            $command.Parameters['AllowInsecureLdap'].ParameterType | Should -Be ([switch])
            $command.Parameters['AcknowledgeInsecureLdapRisk'].ParameterType | Should -Be ([switch])
        }

        It 'LdapMode accepts Ldaps, StartTls and Ldap only' {
            $validateSet = (Get-Command -Name Test-JCDomainController).Parameters['LdapMode'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($validateSet.ValidValues) | Should -Be @('Ldaps', 'StartTls', 'Ldap')
            { Test-JCDomainController -Server dc1 -Credential $script:Credential -LdapMode Kerberos } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 0 -Exactly
        }
    }

    Context 'the ad-ping request' {
        It 'sends the dc block with the defaults: LDAPS, the default port of the engine, 10 s, secure' {
            $result = Test-JCDomainController -Server 'dc1.example.com' -Credential $script:Credential
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 1 -Exactly
            $call = $script:EngineCalls[0]
            $call.Command | Should -BeExactly 'ad-ping'
            $call.CmdletName | Should -BeExactly 'Test-JCDomainController'
            @($call.Parameters.Keys) | Should -Be @('dc')
            $dc = $call.Parameters['dc']
            @($dc.Keys) | Should -Be @('host', 'mode', 'bindDN', 'bindPassword', 'timeoutMs', 'allowInsecure', 'insecureRiskAcknowledged')
            $dc['host'] | Should -BeExactly 'dc1.example.com'
            $dc.Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (636 for ldaps)'
            $dc['mode'] | Should -BeExactly 'ldaps'
            $dc['bindDN'] | Should -BeExactly 'jcsync@example.com'
            $dc['timeoutMs'] | Should -Be 10000
            $dc['allowInsecure'] | Should -BeFalse
            $dc['insecureRiskAcknowledged'] | Should -BeFalse
            $result.PSObject.TypeNames[0] | Should -BeExactly 'JumpCloudADI.DomainControllerInfo'
        }

        It 'sends the user name exactly as given' {
            $null = Test-JCDomainController -Server dc1 -Credential (New-TestCredential -UserName 'EXAMPLE\jcsync')
            $script:EngineCalls[0].Parameters['dc']['bindDN'] | Should -BeExactly 'EXAMPLE\jcsync'
        }

        It 'puts the password only in dc.bindPassword, as a SecureString until the bridge' {
            $secret = 'Secret-' + [guid]::NewGuid().ToString('N')
            $null = Test-JCDomainController -Server dc1 -Credential (New-TestCredential -Password $secret) -RootUserDN 'CN=Users;DC=example;DC=com'
            $parameters = $script:EngineCalls[0].Parameters
            $parameters['dc']['bindPassword'] | Should -BeOfType [System.Security.SecureString]
            $json = ConvertTo-RequestJson -Parameters $parameters
            ([regex]::Matches($json, [regex]::Escape($secret))).Count | Should -Be 1
            ($json | ConvertFrom-Json).dc.bindPassword | Should -BeExactly $secret
        }

        It 'leaves the port to the engine (389) for <Mode> unless -Port is given' -ForEach @(
            @{ Mode = 'StartTls'; Sent = 'starttls' }
            @{ Mode = 'Ldap'; Sent = 'ldap' }
        ) {
            $null = Test-JCDomainController -Server dc1 -Credential $script:Credential -LdapMode $Mode -AllowInsecureLdap -AcknowledgeInsecureLdapRisk
            $null = Test-JCDomainController -Server dc1 -Credential $script:Credential -LdapMode $Mode -Port 3268 -AllowInsecureLdap -AcknowledgeInsecureLdapRisk
            $script:EngineCalls[0].Parameters['dc'].Contains('port') | Should -BeFalse -Because 'the engine applies the mode''s default port (389 for starttls and ldap)'
            $script:EngineCalls[0].Parameters['dc']['mode'] | Should -BeExactly $Sent
            $script:EngineCalls[1].Parameters['dc']['port'] | Should -Be 3268
        }

        It 'sends -AllowInsecureLdap and -AcknowledgeInsecureLdapRisk as allowInsecure and insecureRiskAcknowledged' {
            $null = Test-JCDomainController -Server dc1 -Credential $script:Credential -LdapMode Ldap -AllowInsecureLdap
            $null = Test-JCDomainController -Server dc1 -Credential $script:Credential -LdapMode Ldap -AllowInsecureLdap -AcknowledgeInsecureLdapRisk
            $script:EngineCalls[0].Parameters['dc']['allowInsecure'] | Should -BeTrue
            $script:EngineCalls[0].Parameters['dc']['insecureRiskAcknowledged'] | Should -BeFalse
            $script:EngineCalls[1].Parameters['dc']['allowInsecure'] | Should -BeTrue
            $script:EngineCalls[1].Parameters['dc']['insecureRiskAcknowledged'] | Should -BeTrue
        }

        It 'sends rootUserDN, timeoutMs and an absolute caFile' {
            $caFile = Join-Path -Path $TestDrive -ChildPath 'corp-ca.pem'
            Set-Content -LiteralPath $caFile -Value 'x'
            Push-Location -LiteralPath $TestDrive
            try {
                $null = Test-JCDomainController -Server dc1 -Credential $script:Credential -RootUserDN 'CN=Users;DC=example;DC=com' -TimeoutSeconds 2 -CertificateAuthorityFile './corp-ca.pem'
            }
            finally {
                Pop-Location
            }
            $parameters = $script:EngineCalls[0].Parameters
            @($parameters.Keys) | Should -Be @('dc', 'rootUserDN')
            $parameters['rootUserDN'] | Should -BeExactly 'CN=Users;DC=example;DC=com'
            $parameters['dc']['timeoutMs'] | Should -Be 2000
            $parameters['dc']['caFile'] | Should -BeExactly ((Resolve-Path -LiteralPath $caFile).ProviderPath)
        }

        It 'checks each piped server in turn' {
            $results = @('dc1.example.com', 'dc2.example.com' | Test-JCDomainController -Credential $script:Credential)
            Should -Invoke InvokeJCEngine -ModuleName JumpCloudADI -Times 2 -Exactly
            @($script:EngineCalls | ForEach-Object { $_.Parameters['dc']['host'] }) | Should -Be @('dc1.example.com', 'dc2.example.com')
            @($results | ForEach-Object { $_.Server }) | Should -Be @('dc1.example.com', 'dc2.example.com')
        }

        It 'binds Server from a HostName property (Get-ADDomainController output)' {
            $null = [pscustomobject]@{ HostName = 'dc3.example.com' } | Test-JCDomainController -Credential $script:Credential
            $script:EngineCalls[0].Parameters['dc']['host'] | Should -BeExactly 'dc3.example.com'
        }
    }

    Context 'errors' {
        It 'lets AD.BindFailed through as a terminating error of the cmdlet' {
            Mock -ModuleName JumpCloudADI InvokeJCEngine {
                $exception = New-Object -TypeName System.Exception -ArgumentList 'Bind refused'
                $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'AD.BindFailed', ([System.Management.Automation.ErrorCategory]::AuthenticationError), 'dc1'
                $Cmdlet.ThrowTerminatingError($record)
            }
            { Test-JCDomainController -Server dc1 -Credential $script:Credential } | Should -Throw -ErrorId 'AD.BindFailed,Test-JCDomainController'
        }
    }
}
