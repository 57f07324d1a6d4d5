function Export-JCADUserCsv {
    <#
    .SYNOPSIS
        Exports Active Directory users to a CSV file that Import-JCUserFromCsv (and JumpCloud's own
        Import-JCUsersFromCSV) can import.
    .DESCRIPTION
        The optional first step of moving users into JumpCloud: reads the users under a root user
        container (-RootUserDN) or matching a filter (-LdapFilter, -AttributeFilter) from a domain
        controller, page by page, and writes one row per user in the column format of JumpCloud's
        PowerShell module: FirstName, LastName, Username, Password, Email, then the optional
        columns that hold a value for at least one user (middlename, preferredName, jobTitle,
        employeeIdentifier, department, company, employeeType, description, location, work_*
        address columns and phone numbers), and with -IncludeGroups one Group1..GroupN column per
        group membership (the groups' sAMAccountName; built-in and protected groups are left out).

        The Password column is written empty: Active Directory never reveals passwords. Fill it in
        before importing, or leave it empty: those users then set a password when they activate
        their JumpCloud account.

        Computer accounts are never exported. Protected accounts (adminCount=1) and built-in ones
        (Guest, krbtgt: isCriticalSystemObject) are skipped unless -IncludeProtected is given:
        JumpCloud does not manage privileged AD accounts. The cmdlet says how many accounts it
        skipped and why (a warning or verbose message; -Verbose lists their names), and warns about
        users without an e-mail address or a first or last name (the import refuses those rows).

        The file is UTF-8 with a byte-order mark (so Excel and Windows PowerShell 5.1 read non-ASCII
        names correctly), CRLF line ends, fields quoted where needed. Cells that start with = + - @
        TAB or CR are written with a leading apostrophe so spreadsheets show them as text instead of
        running them as formulas (CSV injection); a user whose username or e-mail starts that way is
        skipped with a warning. The file is written whole or not at all. Nothing in AD is changed.
    .PARAMETER Path
        The CSV file to write. An existing file is replaced unless -NoClobber is given.
    .PARAMETER Server
        Host name or IP address of the domain controller.
    .PARAMETER Credential
        An account that can read the users, for example jcsync@example.com or EXAMPLE\jcsync. The
        user name is sent as given; the password travels to the engine on its standard input only.
    .PARAMETER RootUserDN
        The root user container in the ADI form, for example OU=Corporate Users;DC=example;DC=com:
        every user anywhere below it is exported. Combine with -LdapFilter or -AttributeFilter to
        narrow it; without it those filters search the whole domain.
    .PARAMETER LdapFilter
        A raw LDAP filter, used as given and combined with (objectClass=user), for example
        '(|(department=Sales*)(title=*manager*))'. It is checked for syntax (error Csv.InvalidFilter);
        a parenthesis inside a value must be written as \28 or \29. Use -AttributeFilter for exact
        values that need no escaping.
    .PARAMETER AttributeFilter
        Exact attribute values to match, as a hashtable, for example @{ department = 'R&D (EU)' }.
        The values are escaped (RFC 4515): * ( ) and \ match literally. Several entries must all match.
    .PARAMETER IncludeGroups
        Adds Group1..GroupN columns from each user's group memberships, so the import adds the
        users to JumpCloud user groups of the same names.
    .PARAMETER IncludeProtected
        Exports protected (adminCount=1) and built-in accounts too.
    .PARAMETER ExcludeDisabled
        Leaves out disabled accounts (by default they are exported like the others).
    .PARAMETER NoClobber
        Refuses to replace an existing file (error Csv.OutputExists).
    .PARAMETER Port
        TCP port. Default: 636 for Ldaps, 389 for StartTls and Ldap.
    .PARAMETER LdapMode
        Ldaps (the default), StartTls, or Ldap (no encryption: refused unless -AllowInsecureLdap
        and -AcknowledgeInsecureLdapRisk are both given).
    .PARAMETER CertificateAuthorityFile
        A PEM file with the CA that signed the domain controller's certificate, when the system
        does not already trust it.
    .PARAMETER AllowInsecureLdap
        Allows -LdapMode Ldap. User data would cross the network in clear text; use only in an
        isolated lab.
    .PARAMETER AcknowledgeInsecureLdapRisk
        The second, explicit confirmation that plain LDAP is acceptable here.
    .PARAMETER TimeoutSeconds
        How long to wait for the domain controller (connecting and each operation). Default: 10.
    .EXAMPLE
        $cred = Get-Credential 'jcsync@example.com'
        Export-JCADUserCsv -Server dc1.example.com -Credential $cred -RootUserDN 'OU=Corporate Users;DC=example;DC=com' -Path .\users.csv

        Exports every user under OU=Corporate Users (computers, protected and built-in accounts
        skipped) to users.csv.
    .EXAMPLE
        Export-JCADUserCsv -Server dc1.example.com -Credential $cred -RootUserDN 'CN=Users;DC=example;DC=com' -AttributeFilter @{ department = 'Sales' } -IncludeGroups -ExcludeDisabled -Path .\sales.csv -Verbose

        Exports the enabled users of the Sales department with their group memberships; -Verbose
        names each skipped account.
    .EXAMPLE
        Export-JCADUserCsv -Server 10.0.0.5 -Credential $cred -CertificateAuthorityFile .\corp-ca.pem -LdapFilter '(memberOf=CN=Migrate,OU=Groups,DC=example,DC=com)' -Path .\wave1.csv -NoClobber

        Exports the members of one group from the whole domain, trusting the given CA, and never
        overwrites an earlier file.
    .INPUTS
        None
    .OUTPUTS
        JumpCloudADI.CsvExportResult
        Path, Users (rows written), Columns, GroupColumns, Disabled (disabled users exported),
        SkippedComputers, SkippedProtected, SkippedDisabled, SkippedFormulaNames, WithoutEmail,
        NeutralisedCells, Encoding, PasswordColumn, SearchBase, Filter, DurationSeconds. Nothing
        with -WhatIf.
    .LINK
        Import-JCUserFromCsv
    .LINK
        Test-JCDomainController
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('JumpCloudADI.CsvExportResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Mandatory = $true)]
        [Alias('HostName', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string] $Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [ValidateNotNullOrEmpty()]
        [string] $RootUserDN,

        [ValidateNotNullOrEmpty()]
        [string] $LdapFilter,

        [System.Collections.IDictionary] $AttributeFilter,

        [switch] $IncludeGroups,

        [switch] $IncludeProtected,

        [switch] $ExcludeDisabled,

        [switch] $NoClobber,

        [ValidateRange(1, 65535)]
        [int] $Port,

        [ValidateSet('Ldaps', 'StartTls', 'Ldap')]
        [string] $LdapMode = 'Ldaps',

        [ValidateNotNullOrEmpty()]
        [string] $CertificateAuthorityFile,

        [switch] $AllowInsecureLdap,

        [switch] $AcknowledgeInsecureLdapRisk,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 10
    )

    $hasAttributeFilter = $null -ne $AttributeFilter -and $AttributeFilter.Count -gt 0
    if (-not $PSBoundParameters.ContainsKey('RootUserDN') -and -not $PSBoundParameters.ContainsKey('LdapFilter') -and -not $hasAttributeFilter) {
        $message = 'Name the users to export: -RootUserDN (a root user container), -LdapFilter or -AttributeFilter.'
        $record = NewJCErrorRecord -ErrorId 'Csv.NoUserSelection' -Message $message -Category InvalidArgument -TargetObject $Path -ExceptionType 'System.ArgumentException'
        $PSCmdlet.ThrowTerminatingError($record)
    }

    $outputPath = ResolveJCPath -Path $Path -ParameterName 'Path' -Cmdlet $PSCmdlet
    $engineParams = [ordered]@{
        dc = (NewJCDcBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet)
    }
    $selection = @()
    if ($PSBoundParameters.ContainsKey('RootUserDN')) {
        $engineParams['rootUserDN'] = $RootUserDN
        $selection += 'under {0}' -f $RootUserDN
    }
    if ($PSBoundParameters.ContainsKey('LdapFilter')) {
        $engineParams['ldapFilter'] = $LdapFilter
        $selection += 'matching {0}' -f $LdapFilter
    }
    if ($hasAttributeFilter) {
        $filter = [ordered]@{}
        foreach ($key in @($AttributeFilter.Keys)) {
            $filter[[string]$key] = [string]$AttributeFilter[$key]
        }
        $engineParams['attributeFilter'] = $filter
        $selection += 'with {0}' -f (@($filter.Keys | ForEach-Object { '{0}={1}' -f $_, $filter[$_] }) -join ', ')
    }
    $engineParams['path'] = $outputPath
    $engineParams['includeGroups'] = [bool]$IncludeGroups
    $engineParams['includeProtected'] = [bool]$IncludeProtected
    $engineParams['excludeDisabled'] = [bool]$ExcludeDisabled
    $engineParams['noClobber'] = [bool]$NoClobber

    $action = 'Export the AD users {0} from {1}' -f ($selection -join ' '), $Server
    if (-not $PSCmdlet.ShouldProcess($outputPath, $action)) {
        return
    }
    InvokeJCEngine -Command 'csv-export' -Parameters $engineParams -Cmdlet $PSCmdlet
}
