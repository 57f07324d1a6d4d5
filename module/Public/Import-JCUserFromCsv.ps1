function Import-JCUserFromCsv {
    <#
    .SYNOPSIS
        Creates JumpCloud users from a CSV file (as written by Export-JCADUserCsv or JumpCloud's
        New-JCImportTemplate), after validating the whole file.
    .DESCRIPTION
        Reads the file (UTF-8 with or without a byte-order mark, UTF-16 as Excel's "Unicode Text"
        writes it, or Windows-1252 with -Encoding; comma, semicolon or TAB separated; quoted fields
        may hold delimiters and line breaks) and validates every row before anything is created:
        the columns FirstName, LastName, Username, Password and Email must exist (any case, any
        order); each row needs a first name, a last name, a username AD can hold later (at most 20
        characters, none of " / \ [ ] : ; | = , + * ? < > @, no trailing period, no spaces), a valid
        e-mail address, and a password that meets the JumpCloud organization's password policy
        (an empty Password cell is allowed: the user then sets a password when activating the
        account; -RequirePassword refuses it). Usernames and e-mails must be unique within the file
        and an e-mail must not belong to another JumpCloud user. Cells that start with = + - @ TAB
        or CR are stored with a leading apostrophe (a warning says which), so they can never run as
        spreadsheet formulas later; a username or e-mail that starts that way is invalid.

        When any row is invalid, nothing is created: the cmdlet returns one result per invalid
        row (Status Invalid, with the reason and an ErrorId such as Csv.DuplicateUsername or
        Csv.PasswordPolicy) and stops with the error Csv.ValidationFailed. With -SkipInvalidRows it
        imports the valid rows and reports the invalid ones. A file that cannot be read as CSV
        stops with Csv.Encoding, Csv.Malformed, Csv.MissingColumn, Csv.FileTooLarge and so on,
        naming the line or byte.

        Then it creates the users through the JumpCloud API (-Concurrency at a time), adds them
        to the user groups named in the Group1..GroupN columns (creating missing groups), and with
        -BindToDomain binds each user to the ADI domain. Users that already exist (same username
        and e-mail) are not created again, but the memberships and binding their row asks for are
        completed: rerunning an interrupted import is safe. A user with the same username and
        another e-mail is left untouched. A row JumpCloud refuses fails alone (Status Failed, a
        non-terminating Csv.RowsFailed error at the end); losing JumpCloud stops the run (the rows
        not started are Skipped).

        With -WhatIf nothing is written: each row is returned with Status WouldCreate, Exists or
        Invalid, and the groups that would be created are listed. A progress bar follows the rows;
        a one-line summary is written to the information stream at the end (shown unless
        -InformationAction says otherwise; -InformationVariable captures it as a
        JumpCloudADI.CsvImportSummary object).

        Passwords from the file go to JumpCloud's create call and nowhere else: never into a
        result, an error, a log or a command line. The API key travels to the engine on its
        standard input only.
    .PARAMETER Path
        The CSV file to import. Accepts pipeline input by property name (FullName, as
        Get-ChildItem outputs it).
    .PARAMETER JumpCloudApiKey
        The JumpCloud API key of an administrator who may create users and groups, as a
        SecureString (for example from Read-Host -AsSecureString).
    .PARAMETER Region
        The JumpCloud region: US (console.jumpcloud.com, the default), EU
        (console.eu.jumpcloud.com) or IN (India, console.in.jumpcloud.com). Cannot be combined
        with -JumpCloudUrl.
    .PARAMETER JumpCloudUrl
        The base URL of a JumpCloud-compatible API instead of a region, for example the local
        sandbox (https://127.0.0.1:8443). Must be https://. Cannot be combined with -Region.
    .PARAMETER OrgId
        The JumpCloud organization id (24 hexadecimal characters), for administrators of several
        organizations.
    .PARAMETER JumpCloudCertificateAuthorityFile
        A PEM file with an extra CA to trust for JumpCloud (the sandbox's CA, or a TLS-inspecting
        proxy's). The certificate is always verified.
    .PARAMETER JumpCloudTimeoutSeconds
        How long to wait for each JumpCloud request. Default: 30.
    .PARAMETER Proxy
        An HTTP proxy for every JumpCloud call, as http://host:port (for example
        http://proxy.corp:3128). HTTPS goes through a CONNECT tunnel: TLS to JumpCloud stays end to
        end and verified. Environment uses HTTPS_PROXY and NO_PROXY of this session instead. Without
        -Proxy, JumpCloud is reached directly (environment variables are not read).
    .PARAMETER ProxyCredential
        User name and password for the proxy (Basic authentication). The password is handed to the
        engine on its standard input only.
    .PARAMETER BindToDomain
        Binds each imported user to the ADI domain, so the sync creates it in AD. The domain is
        -Domain, or the organization's only ADI domain (error Csv.DomainRequired when it has
        several or none).
    .PARAMETER Domain
        The ADI domain to bind to: its name in the ADI form (DC=example;DC=com) or its JumpCloud id.
    .PARAMETER SkipInvalidRows
        Imports the valid rows even when others are invalid (those are returned with Status
        Invalid and not imported).
    .PARAMETER RequirePassword
        Treats an empty Password cell as invalid.
    .PARAMETER Encoding
        The file's encoding: Auto (the default: UTF-8, or the encoding its byte-order mark names),
        UTF8, UTF16LE, UTF16BE, or Windows1252 (Excel's "CSV (Comma delimited)" on Western
        European Windows).
    .PARAMETER Delimiter
        Auto (the default: comma, semicolon or TAB, from the header line), Comma, Semicolon or Tab.
    .PARAMETER Concurrency
        How many users are created at the same time (1 to 32). Default: 8.
    .EXAMPLE
        $apiKey = Read-Host -AsSecureString -Prompt 'JumpCloud API key'
        Import-JCUserFromCsv -Path .\users.csv -JumpCloudApiKey $apiKey -WhatIf

        Validates the file and shows, per row, whether the user would be created, exists already
        or is invalid (and why). Nothing is written.
    .EXAMPLE
        Import-JCUserFromCsv -Path .\users.csv -JumpCloudApiKey $apiKey -BindToDomain -Domain 'DC=example;DC=com' |
            Where-Object Status -ne 'Created'

        Creates the users, adds them to their groups and binds them to the ADI domain, and shows
        the rows that were not created (Exists, Invalid, Failed).
    .EXAMPLE
        $results = Import-JCUserFromCsv -Path .\users.csv -JumpCloudApiKey $apiKey -SkipInvalidRows -InformationVariable summary
        $results | Where-Object Status -eq 'Invalid' | Export-Csv .\to-fix.csv -NoTypeInformation
        $summary.MessageData

        Imports the valid rows, saves the invalid ones for fixing, and shows the summary object.
    .EXAMPLE
        Get-ChildItem .\waves\*.txt | Import-JCUserFromCsv -JumpCloudApiKey $apiKey -Encoding UTF16LE -JumpCloudUrl 'https://127.0.0.1:8443' -JumpCloudCertificateAuthorityFile .\sandbox\tls\ca.pem

        Rehearses the import of Excel "Unicode Text" files against the local JumpCloud sandbox.
    .INPUTS
        System.String
    .OUTPUTS
        JumpCloudADI.CsvImportResult
        One object per row: Row (the line of the file on which the row starts; the header is line
        1), Username, Email, Status (Created, Exists, WouldCreate, Invalid, Failed, Skipped),
        JumpCloudId, Reason, ErrorId, Groups, BoundToDomain, Warnings.
    .LINK
        Export-JCADUserCsv
    .LINK
        Invoke-JCSync
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('JumpCloudADI.CsvImportResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $JumpCloudApiKey,

        [ValidateSet('US', 'EU', 'IN')]
        [string] $Region,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudUrl,

        [ValidatePattern('^[0-9a-fA-F]{24}$')]
        [string] $OrgId,

        [ValidateNotNullOrEmpty()]
        [string] $JumpCloudCertificateAuthorityFile,

        [ValidateRange(1, 600)]
        [int] $JumpCloudTimeoutSeconds = 30,

        [ValidateNotNullOrEmpty()]
        [string] $Proxy,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $ProxyCredential = [System.Management.Automation.PSCredential]::Empty,

        [switch] $BindToDomain,

        [ValidateNotNullOrEmpty()]
        [string] $Domain,

        [switch] $SkipInvalidRows,

        [switch] $RequirePassword,

        [ValidateSet('Auto', 'UTF8', 'UTF16LE', 'UTF16BE', 'Windows1252')]
        [string] $Encoding = 'Auto',

        [ValidateSet('Auto', 'Comma', 'Semicolon', 'Tab')]
        [string] $Delimiter = 'Auto',

        [ValidateRange(1, 32)]
        [int] $Concurrency = 8
    )

    begin {
        $jumpcloud = NewJCJumpCloudBlock -BoundParameters $PSBoundParameters -Cmdlet $PSCmdlet
        if ($PSBoundParameters.ContainsKey('Domain') -and -not $BindToDomain) {
            Write-Warning -Message '-Domain is used only with -BindToDomain; the users will not be bound.'
        }
        $informationAction = 'Continue'
        if ($PSBoundParameters.ContainsKey('InformationAction')) {
            $informationAction = $PSBoundParameters['InformationAction']
        }
    }

    process {
        $csvPath = ResolveJCPath -Path $Path -ParameterName 'Path' -MustExist -Cmdlet $PSCmdlet
        $engineParams = [ordered]@{
            jumpcloud       = $jumpcloud
            path            = $csvPath
            encoding        = $Encoding.ToLowerInvariant()
            delimiter       = $Delimiter.ToLowerInvariant()
            skipInvalidRows = [bool]$SkipInvalidRows
            requirePassword = [bool]$RequirePassword
            bindToDomain    = [bool]$BindToDomain
            concurrency     = $Concurrency
        }
        if ($BindToDomain -and $PSBoundParameters.ContainsKey('Domain')) {
            $engineParams['domain'] = $Domain
        }

        $whatIf = [bool]$WhatIfPreference
        if (-not $whatIf) {
            if (-not $PSCmdlet.ShouldProcess($csvPath, 'Create the JumpCloud users listed in the CSV file')) {
                return
            }
        }
        $engineParams['whatIf'] = $whatIf

        InvokeJCEngine -Command 'csv-import' -Parameters $engineParams -Cmdlet $PSCmdlet | ForEach-Object {
            if ($_.PSObject.TypeNames[0] -ne 'JumpCloudADI.CsvImportSummary') {
                $_
                return
            }
            $summary = $_
            $text = FormatJCCsvImportSummary -Summary $summary
            $summary | Add-Member -MemberType ScriptMethod -Name ToString -Value { FormatJCCsvImportSummary -Summary $this } -Force
            if ($whatIf) {
                # Prints the "What if:" line; returns false under -WhatIf, so nothing runs.
                [void]$PSCmdlet.ShouldProcess($csvPath, $text)
            }
            Write-Information -MessageData $summary -Tags 'JumpCloudADI', 'Summary' -InformationAction $informationAction
        }
    }
}
