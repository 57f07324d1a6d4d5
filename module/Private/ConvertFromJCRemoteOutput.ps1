function ConvertFromJCRemoteOutput {
    <#
    .SYNOPSIS
        Gives an object that came back from a computer its module type name again and a ComputerName.
    .DESCRIPTION
        Remoting delivers deserialized objects whose type names start with "Deserialized.": the
        module's own name (JumpCloudADI.SyncAgentStatus, ...) is put first again, so its views and
        type checks apply. ComputerName is the name the caller used to reach it (PSComputerName);
        RunspaceId and PSShowComputerName, remoting's bookkeeping, are dropped.
    .PARAMETER InputObject
        The object as it came back.
    .PARAMETER ComputerName
        The computers of the call (the caller's spelling wins).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [psobject] $InputObject,

        [string[]] $ComputerName = @()
    )

    $computer = $null
    $property = $InputObject.PSObject.Properties['PSComputerName']
    if ($null -ne $property) {
        $computer = [string]$property.Value
    }
    foreach ($name in $ComputerName) {
        if ([string]::Equals($name, $computer, [System.StringComparison]::OrdinalIgnoreCase)) {
            $computer = $name
            break
        }
    }
    $names = @($InputObject.PSObject.TypeNames)
    if ($names.Count -gt 0 -and $names[0] -like 'Deserialized.JumpCloudADI.*') {
        $InputObject.PSObject.TypeNames.Insert(0, $names[0].Substring('Deserialized.'.Length))
    }
    foreach ($bookkeeping in 'RunspaceId', 'PSShowComputerName') {
        if ($null -ne $InputObject.PSObject.Properties[$bookkeeping]) {
            $InputObject.PSObject.Properties.Remove($bookkeeping)
        }
    }
    Add-Member -InputObject $InputObject -MemberType NoteProperty -Name ComputerName -Value $computer -Force
    return $InputObject
}
