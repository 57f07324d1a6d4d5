function Export-JCSyncReport {
    <#
    .SYNOPSIS
        Writes a sync plan or a rehearsal's checks as one self-contained HTML report.
    .DESCRIPTION
        Collects the objects from the pipeline (JumpCloudADI.SyncPlanOperation from Get-JCSyncPlan,
        or JumpCloudADI.RehearsalCheck from Invoke-JCSyncRehearsal) and writes one HTML file that
        needs nothing else: the style and the small filter script are inside the file, it loads no
        fonts, scripts or images from anywhere, so it can be attached to a change ticket and opened
        offline.

        A plan report shows the counts by operation, then one row per operation: the object, its
        DN, each attribute's value before and after, the reason, and for a skipped object its code
        and how to fix it. A rehearsal report shows the counts of Pass, Fail and Skipped, then one
        row per check with its area, time, reason and evidence. A filter box hides the rows that do
        not contain its text; printed, the report shows every row.

        Writes the file's System.IO.FileInfo to the pipeline. An existing file is replaced only
        with -Force.
    .PARAMETER InputObject
        The plan operations or rehearsal checks, usually from the pipeline.
    .PARAMETER Path
        The HTML file to write.
    .PARAMETER Title
        The report's heading. Default: "JumpCloud to AD sync plan" or "JumpCloudADI rehearsal".
    .PARAMETER Note
        One line under the heading, for example the change ticket number.
    .PARAMETER Force
        Replaces an existing file.
    .EXAMPLE
        Get-JCSyncPlan @splatSync | Export-JCSyncReport -Path .\plan.html

        Writes what the next sync would change as plan.html, ready to attach to a change ticket.
    .EXAMPLE
        $plan = Get-JCSyncPlan @splatSync
        $plan | Export-JCSyncReport -Path \\fs1\changes\CHG0042.html -Note 'CHG0042: first sync of Sales' -Force

        Writes the report with a note naming the change, replacing an earlier version.
    .EXAMPLE
        Invoke-JCSyncRehearsal @splatRehearsal | Export-JCSyncReport -Path .\rehearsal.html

        Writes a rehearsal's checks as a report (Invoke-JCSyncRehearsal -ReportPath does the same).
    .INPUTS
        System.Management.Automation.PSObject
    .OUTPUTS
        System.IO.FileInfo
    .LINK
        Get-JCSyncPlan
    .LINK
        Invoke-JCSyncRehearsal
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [AllowNull()]
        [object] $InputObject,

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [ValidateNotNullOrEmpty()]
        [string] $Title,

        [string] $Note = '',

        [switch] $Force
    )

    begin {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
    }

    process {
        if ($null -ne $InputObject) {
            $items.Add($InputObject)
        }
    }

    end {
        $kind = 'Plan'
        $first = $null
        if ($items.Count -gt 0) {
            $first = $items[0]
        }
        if ($null -ne $first) {
            if ($null -ne $first.PSObject.Properties['Check'] -and $null -ne $first.PSObject.Properties['Status']) {
                $kind = 'Rehearsal'
            }
            elseif ($null -eq $first.PSObject.Properties['Operation']) {
                $message = 'Export-JCSyncReport takes plan operations (Get-JCSyncPlan) or rehearsal checks (Invoke-JCSyncRehearsal); the input has neither an Operation nor a Check and Status property.'
                $record = NewJCErrorRecord -ErrorId 'Report.UnknownInput' -Message $message -Category InvalidArgument -TargetObject $first -ExceptionType 'System.ArgumentException'
                $PSCmdlet.ThrowTerminatingError($record)
            }
        }
        foreach ($entry in $items) {
            $fits = if ($kind -eq 'Rehearsal') { $null -ne $entry.PSObject.Properties['Check'] } else { $null -ne $entry.PSObject.Properties['Operation'] }
            if (-not $fits) {
                $message = 'Export-JCSyncReport writes one kind of report at a time; the input mixes {0} objects with others.' -f $(if ($kind -eq 'Rehearsal') { 'rehearsal check' } else { 'plan operation' })
                $record = NewJCErrorRecord -ErrorId 'Report.MixedInput' -Message $message -Category InvalidArgument -TargetObject $entry -ExceptionType 'System.ArgumentException'
                $PSCmdlet.ThrowTerminatingError($record)
            }
        }
        if (-not $PSBoundParameters.ContainsKey('Title')) {
            $Title = if ($kind -eq 'Rehearsal') { 'JumpCloudADI rehearsal' } else { 'JumpCloud to AD sync plan' }
        }

        $fullPath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
        if ((Test-Path -LiteralPath $fullPath -PathType Container)) {
            $record = NewJCErrorRecord -ErrorId 'Report.PathIsFolder' -Message ('{0} is a folder; give the path of the HTML file to write.' -f $fullPath) -Category InvalidArgument -TargetObject $fullPath -ExceptionType 'System.ArgumentException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        if ((Test-Path -LiteralPath $fullPath -PathType Leaf) -and -not $Force) {
            $record = NewJCErrorRecord -ErrorId 'Report.FileExists' -Message ('{0} already exists; use -Force to replace it.' -f $fullPath) -Category ResourceExists -TargetObject $fullPath -ExceptionType 'System.IO.IOException'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        $folder = [System.IO.Path]::GetDirectoryName($fullPath)
        if (-not [string]::IsNullOrEmpty($folder) -and -not (Test-Path -LiteralPath $folder -PathType Container)) {
            $record = NewJCErrorRecord -ErrorId 'Report.FolderMissing' -Message ('The folder {0} does not exist.' -f $folder) -Category ObjectNotFound -TargetObject $folder -ExceptionType 'System.IO.DirectoryNotFoundException'
            $PSCmdlet.ThrowTerminatingError($record)
        }

        $html = ConvertToJCSyncReportHtml -Item $items.ToArray() -Kind $kind -Title $Title -Note $Note
        if ($PSCmdlet.ShouldProcess($fullPath, ('Write the {0} report ({1} rows)' -f $kind.ToLowerInvariant(), $items.Count))) {
            # Written next to the target first, then moved over it: never a half-written report.
            $temp = '{0}.{1}.tmp' -f $fullPath, [System.Guid]::NewGuid().ToString('N')
            try {
                [System.IO.File]::WriteAllText($temp, $html, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
                if (Test-Path -LiteralPath $fullPath -PathType Leaf) {
                    Remove-Item -LiteralPath $fullPath -Force
                }
                [System.IO.File]::Move($temp, $fullPath)
            }
            finally {
                if (Test-Path -LiteralPath $temp) {
                    Remove-Item -LiteralPath $temp -Force -ErrorAction SilentlyContinue
                }
            }
            Get-Item -LiteralPath $fullPath
        }
    }
}
