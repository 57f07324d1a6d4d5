# The one skip policy of the integration suites that need something the test run provides (the
# test DC, the built engine): also scripts/run-node-tests.mjs for the engine's suites.
# A missing prerequisite FAILS the suite; under CI (CI=true, or scripts/run-pester.ps1 -CI) always.
# Outside CI it is skipped, with the reason printed, only when asked explicitly: JCADI_ALLOW_NO_DC=1.

function Confirm-TestSkip {
    <#
    .SYNOPSIS
        Returns $true (skip, after printing why) when skipping was asked for; throws otherwise.
    .PARAMETER Message
        What is skipped and why, for example "Sync integration tests skipped: no test DC (...)".
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Message
    )

    $ci = $env:CI -eq 'true' -or $env:JCADI_TEST_CI -eq '1'
    if ($env:JCADI_ALLOW_NO_DC -eq '1' -and -not $ci) {
        Write-Warning -Message "$Message (JCADI_ALLOW_NO_DC=1)"
        return $true
    }
    $how = 'set JCADI_ALLOW_NO_DC=1 to skip it outside CI'
    if ($ci) {
        $how = 'under CI nothing is skipped'
    }
    throw "$Message Refusing to skip: $how."
}
