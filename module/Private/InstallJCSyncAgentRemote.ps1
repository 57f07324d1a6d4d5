# The parameters Install-JCSyncAgent passes on to each remote computer (everything but the
# remoting ones and the connect key, which is made fresh for each computer).
$script:JCRemoteInstallParameters = @(
    'InstallPath', 'ServerType', 'DomainController', 'LdapMode', 'Port', 'CertificateAuthorityFile',
    'AllowInsecureLdap', 'AcknowledgeInsecureLdapRisk', 'TimeoutSeconds', 'RootUserDN', 'Domain',
    'ServiceAccountCredential', 'JumpCloudApiKey', 'Region', 'JumpCloudUrl', 'OrgId',
    'JumpCloudCertificateAuthorityFile', 'JumpCloudTimeoutSeconds', 'Proxy', 'ProxyCredential', 'ProxyBypass',
    'StartTimeoutSeconds', 'AnchorKey', 'Staging'
)

# Runs on the remote computer: the module must be installed there.
$script:JCRemoteInstallScript = {
    param($Parameters)
    Import-Module -Name JumpCloudADI -ErrorAction Stop
    Install-JCSyncAgent @Parameters -Confirm:$false
}

function InstallJCSyncAgentRemote {
    <#
    .SYNOPSIS
        Install-JCSyncAgent -ComputerName: a fresh connect key per computer, then Install-JCSyncAgent there over remoting.
    .DESCRIPTION
        For each computer: New-JCSyncConnectKey (keys are one-time), then Invoke-Command runs
        Install-JCSyncAgent on that computer with the same parameters and the new key (secure
        strings and credentials travel encrypted by remoting). A failure on one computer is
        written as a non-terminating error (Install.RemoteFailed) and the next one is done.
    .PARAMETER BoundParameters
        The calling Install-JCSyncAgent's $PSBoundParameters.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet (ShouldProcess and errors on its behalf).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $missing = @(@('Domain', 'JumpCloudApiKey') | Where-Object { -not $BoundParameters.ContainsKey($_) } | ForEach-Object { '-' + $_ })
    if ($missing.Count -gt 0) {
        $message = 'A rollout with -ComputerName needs {0} (each computer gets a fresh connect key for that domain).' -f ($missing -join ', ')
        $record = NewJCErrorRecord -ErrorId 'Install.ParameterMissing' -Message $message -Category InvalidArgument -TargetObject 'ComputerName' -ExceptionType 'System.ArgumentException'
        $Cmdlet.ThrowTerminatingError($record)
    }

    $splatKey = @{
        Domain          = $BoundParameters['Domain']
        JumpCloudApiKey = $BoundParameters['JumpCloudApiKey']
        Confirm         = $false
        WhatIf          = $false
        ErrorAction     = 'Stop'
    }
    foreach ($name in 'Region', 'JumpCloudUrl', 'OrgId', 'JumpCloudCertificateAuthorityFile', 'JumpCloudTimeoutSeconds', 'Proxy', 'ProxyCredential') {
        if ($BoundParameters.ContainsKey($name)) {
            $splatKey[$name] = $BoundParameters[$name]
        }
    }

    foreach ($computer in @($BoundParameters['ComputerName'])) {
        if (-not $Cmdlet.ShouldProcess($computer, ('Install the JumpCloud sync agent for {0} with a fresh connect key' -f $BoundParameters['Domain']))) {
            continue
        }
        try {
            $key = New-JCSyncConnectKey @splatKey
            $remoteParameters = @{}
            foreach ($name in $script:JCRemoteInstallParameters) {
                if ($BoundParameters.ContainsKey($name)) {
                    $value = $BoundParameters[$name]
                    if ($value -is [System.Management.Automation.SwitchParameter]) {
                        $value = $value.IsPresent
                    }
                    $remoteParameters[$name] = $value
                }
            }
            $remoteParameters['ConnectKey'] = $key.ConnectKey
            $splatInvoke = @{
                ComputerName = $computer
                ScriptBlock  = $script:JCRemoteInstallScript
                ArgumentList = @(, $remoteParameters)
                ErrorAction  = 'Stop'
            }
            $credential = $BoundParameters['RemoteCredential']
            if ($null -ne $credential -and $credential -ne [System.Management.Automation.PSCredential]::Empty) {
                $splatInvoke['Credential'] = $credential
            }
            Invoke-Command @splatInvoke
        }
        catch {
            $message = 'Installing the sync agent on {0} failed: {1}' -f $computer, $_.Exception.Message
            $record = NewJCErrorRecord -ErrorId 'Install.RemoteFailed' -Message $message -Category InvalidOperation -TargetObject $computer -ExceptionType 'System.InvalidOperationException'
            $Cmdlet.WriteError($record)
        }
    }
}
