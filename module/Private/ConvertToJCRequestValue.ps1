function ConvertToJCRequestValue {
    <#
    .SYNOPSIS
        Copies a request parameter tree into plain JSON-ready values (only InvokeJCEngine calls it).
    .DESCRIPTION
        Dictionaries become ordered dictionaries, lists become arrays, strings are copied (Windows
        PowerShell 5.1 would otherwise serialise extra properties that strings from Get-Content
        carry), enums become their names, switches become booleans. A SecureString becomes its plain
        text here, in memory, just before the request is written to the engine's stdin: this is the
        only place where a secret is revealed. A PSCredential is refused: callers pass
        UserName and Password (a SecureString) as separate fields, as the protocol names them.
    .PARAMETER Value
        The value to convert.
    .PARAMETER Path
        The field path of the value, used in error messages (for example params.dc.port).
    #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $Value,

        [string] $Path = 'params'
    )

    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [System.Management.Automation.PSObject] -and $null -ne $Value.PSObject.BaseObject) {
        $base = $Value.PSObject.BaseObject
        if (-not ($base -is [System.Management.Automation.PSCustomObject])) {
            $Value = $base
        }
    }

    if ($Value -is [string]) {
        return [string]::new($Value.ToCharArray())
    }
    if ($Value -is [System.Security.SecureString]) {
        $bstr = [System.IntPtr]::Zero
        try {
            $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Value)
            return [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
        }
        finally {
            if ($bstr -ne [System.IntPtr]::Zero) {
                [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
            }
        }
    }
    if ($Value -is [System.Management.Automation.PSCredential]) {
        throw [System.ArgumentException]::new("$Path is a PSCredential: pass its UserName and Password as separate fields.")
    }
    if ($Value -is [System.Management.Automation.SwitchParameter]) {
        return [bool]$Value.IsPresent
    }
    if ($Value -is [System.Enum]) {
        return $Value.ToString()
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $copy = [ordered]@{}
        foreach ($key in @($Value.Keys)) {
            $name = [string]$key
            $copy[$name] = ConvertToJCRequestValue -Value $Value[$key] -Path "$Path.$name"
        }
        return $copy
    }
    if ($Value -is [System.Management.Automation.PSCustomObject] -or
        ($Value -is [System.Management.Automation.PSObject] -and $Value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject])) {
        $copy = [ordered]@{}
        foreach ($property in $Value.PSObject.Properties) {
            $copy[$property.Name] = ConvertToJCRequestValue -Value $property.Value -Path "$Path.$($property.Name)"
        }
        return $copy
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object -TypeName 'System.Collections.Generic.List[object]'
        $index = 0
        foreach ($item in $Value) {
            $items.Add((ConvertToJCRequestValue -Value $item -Path "$Path[$index]"))
            $index++
        }
        # The leading comma keeps PowerShell from unrolling the array (an empty or one-item list
        # must stay a JSON array).
        return , $items.ToArray()
    }
    return $Value
}
