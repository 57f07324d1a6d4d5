function ConvertToJCSyncReportHtml {
    <#
    .SYNOPSIS
        One self-contained HTML page for a sync plan or a rehearsal: summary, one row per item, a filter box.
    .DESCRIPTION
        Used by Export-JCSyncReport and Invoke-JCSyncRehearsal -ReportPath. The page needs nothing
        from the network: the style and the filter script are inline, fonts are the system's. Every
        value is HTML-encoded. Kind Plan: counts by operation, then per operation its target, DN,
        each attribute's value before and after, the reason, and for a skip its code and the fix.
        Kind Rehearsal: counts by status, then per check its area, status, time, reason and
        evidence. The filter box hides the rows that do not contain its text (a #filter=text in the
        address fills it in); printing shows every row and hides the box.
    .PARAMETER Item
        The plan operations (JumpCloudADI.SyncPlanOperation) or rehearsal checks (JumpCloudADI.RehearsalCheck).
    .PARAMETER Kind
        Plan or Rehearsal.
    .PARAMETER Title
        The page's heading.
    .PARAMETER Note
        One line under the heading (for example the domain and the time).
    .OUTPUTS
        System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyCollection()]
        [object[]] $Item = @(),

        [Parameter(Mandatory = $true)]
        [ValidateSet('Plan', 'Rehearsal')]
        [string] $Kind,

        [Parameter(Mandatory = $true)]
        [string] $Title,

        [string] $Note = ''
    )

    $enc = {
        param($Value)
        if ($null -eq $Value) {
            return ''
        }
        return [System.Net.WebUtility]::HtmlEncode([string]$Value)
    }
    $field = {
        param($Object, [string] $Name)
        $p = $Object.PSObject.Properties[$Name]
        if ($null -eq $p -or $null -eq $p.Value) {
            return ''
        }
        return $p.Value
    }
    $fixes = @{
        MissingName          = 'Add the missing first or last name to the user in JumpCloud.'
        InvalidUsername      = 'Change the username in JumpCloud to one AD can hold: at most 20 characters, none of " / \ [ ] : ; | = , + * ? < > @, not ending with a period.'
        InvalidGroupName     = 'Rename the group in JumpCloud to a name AD can hold (at most 64 characters, no special characters).'
        Protected            = 'Privileged AD accounts are never managed from JumpCloud: give the JumpCloud user another username.'
        Conflict             = 'Take the existing AD object over with -AdoptExisting, or rename one of the two.'
        NameTaken            = 'Rename the JumpCloud user or group, or the AD object that already holds the name.'
        DisabledInAD         = 'Enable the account in AD if the disable was a mistake, or suspend the user in JumpCloud.'
        ForeignAnchor        = 'The object belongs to another sync: remove its anchor in AD if this sync should manage it.'
        DuplicateInJumpCloud = 'Make the two JumpCloud names differ in more than letter case.'
    }

    $sb = New-Object -TypeName System.Text.StringBuilder
    $counts = [ordered]@{}
    $rows = New-Object -TypeName System.Text.StringBuilder
    $index = 0
    foreach ($entry in @($Item)) {
        if ($null -eq $entry) {
            continue
        }
        $index++
        if ($Kind -eq 'Plan') {
            $op = [string](& $field $entry 'Operation')
            $key = $op
            $changes = New-Object -TypeName System.Text.StringBuilder
            foreach ($change in @(& $field $entry 'Changes')) {
                if ($null -eq $change -or $change -eq '') {
                    continue
                }
                [void]$changes.AppendFormat('<div class="chg"><span class="attr">{0}</span> <span class="before">{1}</span> <span class="arrow">&rarr;</span> <span class="after">{2}</span></div>', (& $enc (& $field $change 'Attribute')), (& $enc (& $field $change 'Before')), (& $enc (& $field $change 'After')))
            }
            $code = [string](& $field $entry 'Code')
            $fix = ''
            if ($code.Length -gt 0 -and $fixes.ContainsKey($code)) {
                $fix = $fixes[$code]
            }
            $target = & $field $entry 'Target'
            $group = [string](& $field $entry 'Group')
            if ($group.Length -gt 0) {
                $target = '{0} &rarr; {1}' -f (& $enc $target), (& $enc $group)
            }
            else {
                $target = & $enc $target
            }
            $dn = [string](& $field $entry 'DN')
            $newDn = [string](& $field $entry 'NewDN')
            if ($newDn.Length -gt 0) {
                $dn = '{0} &rarr; {1}' -f (& $enc $dn), (& $enc $newDn)
            }
            else {
                $dn = & $enc $dn
            }
            [void]$rows.AppendFormat('<tr class="row op-{0}" data-kind="{0}"><td class="n">{1}</td><td><span class="badge b-{0}">{0}</span></td><td>{2}</td><td class="dn">{3}</td><td>{4}</td><td>{5}{6}</td><td class="fix">{7}</td></tr>', (& $enc $op), $index, $target, $dn, $changes.ToString(), (& $enc (& $field $entry 'Reason')), $(if ($code.Length -gt 0) { ' <span class="code">{0}</span>' -f (& $enc $code) } else { '' }), (& $enc $fix))
        }
        else {
            $status = [string](& $field $entry 'Status')
            $key = $status
            $seconds = & $field $entry 'Seconds'
            $secondsText = ''
            if ($seconds -ne '') {
                $secondsText = ([double]$seconds).ToString('0.0', [System.Globalization.CultureInfo]::InvariantCulture) + ' s'
            }
            [void]$rows.AppendFormat('<tr class="row st-{0}" data-kind="{0}"><td class="n">{1}</td><td>{2}</td><td>{3}</td><td><span class="badge b-{0}">{0}</span></td><td class="num">{4}</td><td>{5}</td><td class="ev">{6}</td></tr>', (& $enc $status), $index, (& $enc (& $field $entry 'Area')), (& $enc (& $field $entry 'Check')), $secondsText, (& $enc (& $field $entry 'Reason')), (& $enc (& $field $entry 'Evidence')))
        }
        if ($key.Length -eq 0) {
            $key = '(none)'
        }
        if ($counts.Contains($key)) {
            $counts[$key] = $counts[$key] + 1
        }
        else {
            $counts[$key] = 1
        }
    }

    if ($Kind -eq 'Plan') {
        $head = '<tr><th>#</th><th>Operation</th><th>Object</th><th>DN</th><th>Before &rarr; after</th><th>Reason</th><th>Fix</th></tr>'
        $empty = 'Nothing to do: AD already matches JumpCloud.'
    }
    else {
        $head = '<tr><th>#</th><th>Area</th><th>Check</th><th>Status</th><th>Time</th><th>Reason</th><th>Evidence</th></tr>'
        $empty = 'No checks.'
    }
    $cards = New-Object -TypeName System.Text.StringBuilder
    [void]$cards.AppendFormat('<div class="card total"><div class="v">{0}</div><div class="k">{1}</div></div>', $index, $(if ($Kind -eq 'Plan') { 'operations' } else { 'checks' }))
    foreach ($key in $counts.Keys) {
        [void]$cards.AppendFormat('<div class="card c-{0}" data-count="{0}"><div class="v">{1}</div><div class="k">{0}</div></div>', (& $enc $key), $counts[$key])
    }

    $style = @'
:root{color-scheme:light}*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#14304f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px;font-weight:600}header p{margin:4px 0 0;opacity:.85}
main{padding:18px 28px}.cards{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:14px}.card{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:10px 16px;min-width:110px}
.card .v{font-size:22px;font-weight:650}.card .k{color:#5b6676;font-size:12px;text-transform:uppercase;letter-spacing:.04em}.c-Pass .v{color:#1a7f37}.c-Fail .v{color:#c62828}.c-Skipped .v{color:#8a6d00}.c-skip .v{color:#8a6d00}
.tools{display:flex;gap:12px;align-items:center;margin:6px 0 12px}#filter{font:inherit;padding:7px 10px;border:1px solid #b9c2cf;border-radius:6px;width:340px}#shown{color:#5b6676}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d9dee5}th,td{text-align:left;vertical-align:top;padding:7px 9px;border-bottom:1px solid #e7eaef}th{background:#eef1f5;font-weight:600;position:sticky;top:0}
td.n,td.num{color:#5b6676;white-space:nowrap}td.dn,td.ev{font-family:ui-monospace,Consolas,"Liberation Mono",monospace;font-size:12px;word-break:break-all}td.fix{color:#14304f}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e7eaef;white-space:nowrap}.b-Pass{background:#dcf3e3;color:#1a7f37}.b-Fail{background:#fde2e1;color:#c62828}.b-Skipped,.b-skip{background:#fff1c2;color:#7a5d00}
.b-createUser,.b-createGroup,.b-addMember{background:#dcf3e3;color:#1a7f37}.b-disableUser,.b-unbindGroup,.b-removeMember{background:#fde2e1;color:#c62828}
.chg{font-size:12px}.attr{font-weight:600}.before{color:#8c1c13;text-decoration:line-through}.after{color:#1a5f2a}.code{font-size:11px;background:#eef1f5;padding:0 5px;border-radius:4px}
tr.hidden{display:none}.empty{padding:18px;background:#fff;border:1px solid #d9dee5}footer{padding:10px 28px 24px;color:#5b6676;font-size:12px}
@media print{body{background:#fff;font-size:11px}header{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}.tools{display:none}tr.hidden{display:table-row}main{padding:8px 0}th{position:static}tr{page-break-inside:avoid}.card{border-color:#999}}
'@
    $script = @'
(function(){var box=document.getElementById('filter'),rows=[].slice.call(document.querySelectorAll('tr.row')),shown=document.getElementById('shown');
function apply(){var q=box.value.trim().toLowerCase(),n=0;rows.forEach(function(r){var hit=q===''||r.textContent.toLowerCase().indexOf(q)>=0;r.classList.toggle('hidden',!hit);if(hit){n++;}});shown.textContent=n+' of '+rows.length+' shown';}
box.addEventListener('input',apply);var m=/[#&]filter=([^&]*)/.exec(location.hash);if(m){box.value=decodeURIComponent(m[1]);}apply();})();
'@

    $version = ''
    if ($null -ne $MyInvocation.MyCommand.Module) {
        $version = ' ' + [string]$MyInvocation.MyCommand.Module.Version
    }
    [void]$sb.Append('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">')
    [void]$sb.AppendFormat('<title>{0}</title><style>{1}</style></head><body>', (& $enc $Title), $style)
    [void]$sb.AppendFormat('<header><h1>{0}</h1><p>{1}</p></header><main>', (& $enc $Title), (& $enc $Note))
    [void]$sb.AppendFormat('<section class="cards" id="summary">{0}</section>', $cards.ToString())
    [void]$sb.Append('<div class="tools"><input id="filter" type="search" placeholder="Filter: any text in a row" aria-label="Filter rows"><span id="shown"></span></div>')
    if ($index -eq 0) {
        [void]$sb.AppendFormat('<p class="empty">{0}</p>', (& $enc $empty))
    }
    [void]$sb.AppendFormat('<table id="items"><thead>{0}</thead><tbody>{1}</tbody></table></main>', $head, $rows.ToString())
    [void]$sb.AppendFormat('<footer>JumpCloudADI{0} &middot; generated {1:yyyy-MM-dd HH:mm:ss} UTC &middot; this file needs no network</footer>', (& $enc $version), [DateTime]::UtcNow)
    [void]$sb.AppendFormat('<script>{0}</script></body></html>', $script)
    return $sb.ToString()
}
