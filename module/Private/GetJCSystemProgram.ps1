function GetJCSystemProgram {
    <#
    .SYNOPSIS
        The full path of a system program (sc.exe, systemctl, useradd): never a bare name.
    .DESCRIPTION
        Windows looks for a bare program name in the current folder before PATH: a program planted
        in a writable folder would run instead, with an administrator's rights. So every Windows
        program is started from the system folder (C:\Windows\System32\sc.exe); on Linux from the
        first of /usr/bin, /bin, /usr/sbin, /sbin that has it. A test scans engine/ and module/ for
        programs started by bare name.
    .PARAMETER Name
        The program's file name (sc.exe, systemctl).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [ValidatePattern('^[A-Za-z0-9._-]+$')]
        [string] $Name
    )

    if (TestJCIsWindows) {
        $system = [System.Environment]::SystemDirectory
        if ([string]::IsNullOrEmpty($system)) {
            $system = 'C:\Windows\System32'
        }
        return ($system.TrimEnd('\') + '\' + $Name)
    }
    foreach ($folder in @('/usr/bin', '/bin', '/usr/sbin', '/sbin')) {
        $candidate = $folder + '/' + $Name
        if ([System.IO.File]::Exists($candidate)) {
            return $candidate
        }
    }
    return ('/usr/bin/' + $Name)
}
