# Helpers for the unit tests of the public cmdlets: the engine is mocked at the one private
# function InvokeJCEngine, and each call is recorded in $script:EngineCalls by the mock.

function Get-PlainText {
    <#
    .SYNOPSIS
        The plain text of a SecureString (test helper; works on Windows PowerShell 5.1 and 7).
    #>
    param(
        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $SecureString
    )

    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($SecureString)
    try {
        return [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    }
    finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }
}

function New-TestCredential {
    param(
        [string] $UserName = 'Administrator@example.com',
        [string] $Password = ('Pw-' + [guid]::NewGuid().ToString('N'))
    )

    $secure = ConvertTo-SecureString -String $Password -AsPlainText -Force
    return (New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $UserName, $secure)
}

function ConvertTo-RequestJson {
    <#
    .SYNOPSIS
        The params as the bridge would serialise them (runs the module's private converter).
    #>
    param(
        [System.Collections.IDictionary] $Parameters
    )

    $module = Get-Module -Name JumpCloudADI
    return (& $module { param($p) ConvertTo-Json -InputObject (ConvertToJCRequestValue -Value $p) -Depth 20 -Compress } $Parameters)
}

function Get-ParameterInfo {
    <#
    .SYNOPSIS
        The [Parameter()] attributes of one parameter of a command, one per parameter set.
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $CommandName,

        [Parameter(Mandatory = $true)]
        [string] $ParameterName
    )

    $command = Get-Command -Name $CommandName
    return @($command.Parameters[$ParameterName].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
}
