function FormatJCCsvImportSummary {
    <#
    .SYNOPSIS
        The one-line text of a JumpCloudADI.CsvImportSummary (Import-JCUserFromCsv's summary).
    .PARAMETER Summary
        The summary record of the engine's csv-import command.
    .OUTPUTS
        System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Summary
    )

    $file = [System.IO.Path]::GetFileName([string]$Summary.Path)
    $source = '{0} ({1} rows, {2}, {3}-separated)' -f $file, $Summary.Rows, $Summary.Encoding, $Summary.Delimiter
    $groupsToCreate = @($Summary.GroupsToCreate | Where-Object { $null -ne $_ })
    $groupsCreated = @($Summary.GroupsCreated | Where-Object { $null -ne $_ })
    if ($Summary.WhatIf) {
        $text = 'Would create {0} users from {1}: {2} exist already, {3} invalid' -f $Summary.WouldCreate, $source, $Summary.Exists, $Summary.Invalid
        if ($groupsToCreate.Count -gt 0) {
            $text += '; would create the groups {0}' -f ($groupsToCreate -join ', ')
        }
        return $text + '.'
    }
    $text = 'Imported {0}: {1} created, {2} exist, {3} invalid, {4} failed, {5} skipped' -f $source, $Summary.Created, $Summary.Exists, $Summary.Invalid, $Summary.Failed, $Summary.Skipped
    if ($groupsCreated.Count -gt 0 -or $Summary.MembershipsAdded -gt 0) {
        $text += '; {0} groups created, {1} memberships added' -f $groupsCreated.Count, $Summary.MembershipsAdded
    }
    if ($null -ne $Summary.Domain) {
        $text += '; {0} bound to {1}' -f $Summary.BoundToDomain, $Summary.Domain
    }
    return $text + ('; {0} s ({1} rows/s).' -f $Summary.DurationSeconds, $Summary.RowsPerSecond)
}
