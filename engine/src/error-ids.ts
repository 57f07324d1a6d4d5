// The error-id catalogue: every id the engine reports (and the few the module adds), with the
// exit code it ends a command with, its PowerShell ErrorCategory and what it means. It is the one
// list: EngineError only takes an id listed here (errors.ts types the constructor with ErrorId),
// and tests/engine/unit/error-ids.test.ts checks that engine/PROTOCOL.md lists exactly these ids.
// It sits at the bottom of the engine with errors.ts and imports nothing.
//
// kind:
//   fatal   - an EngineError that ends the command (the `error` line with fatal: true, then `exit`);
//             some are also reported per object as non-fatal `error` lines (the exit code is then 1)
//   record  - the ErrorId of a record (a CSV import row, a password rejection), never a fatal error
//   warning - the id of a `warning` line
//   module  - raised by the PowerShell module itself before the engine runs
// exit: the exit code (engine/PROTOCOL.md "Exit codes"); null when the id never ends a command.
// category: the System.Management.Automation.ErrorCategory name; null for record and warning ids.

export const ERROR_IDS = {
  // The request
  'Request.Empty': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'Nothing on stdin: the engine needs one JSON request.' },
  'Request.InvalidJson': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'stdin is not one JSON object (or is nested too deeply).' },
  'Request.Invalid': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'The request or its params fail validation (the message names the field).',
  },
  'Request.UnknownCommand': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'The command is not one the engine knows (the message lists them).',
  },
  'Request.CaFileUnreadable': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: "The DC's CA file cannot be read." },
  'Request.CaFileInvalid': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: "The DC's CA file holds no PEM certificate." },
  'Engine.Internal': { kind: 'fatal', exit: 10, category: 'NotSpecified', meaning: 'A bug: an unexpected exception (crash text on stderr).' },

  // The Root User DN and the ADI domain
  'RootDN.Invalid': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The Root User DN is not in the ADI form (OU=...;DC=...).' },
  'RootDN.NotUnderDomain': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The Root User DN is not under the ADI domain.' },
  'RootDN.NotFound': {
    kind: 'fatal',
    exit: 2,
    category: 'ObjectNotFound',
    meaning: 'The root user container does not exist, or the bind account cannot read it.',
  },
  'ADIDomain.Invalid': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The ADI domain is not in the DC=example;DC=com form.' },
  'ADIDomain.Exists': { kind: 'fatal', exit: 2, category: 'ResourceExists', meaning: 'JumpCloud already has an ADI domain of that name.' },

  // Active Directory (ad/errors.ts maps LDAP result codes to these)
  'AD.Unreachable': { kind: 'fatal', exit: 3, category: 'ConnectionError', meaning: 'The domain controller cannot be reached (host, port, service down).' },
  'AD.Timeout': { kind: 'fatal', exit: 3, category: 'OperationTimeout', meaning: 'The domain controller did not answer in time.' },
  'AD.TlsFailed': {
    kind: 'fatal',
    exit: 3,
    category: 'SecurityError',
    meaning: 'TLS to the DC failed (untrusted CA, name mismatch); verification is never switched off.',
  },
  'AD.Busy': { kind: 'fatal', exit: 3, category: 'ConnectionError', meaning: 'The DC is busy (LDAP 51).' },
  'AD.Unavailable': { kind: 'fatal', exit: 3, category: 'ConnectionError', meaning: 'The DC is unavailable (LDAP 52).' },
  'AD.BindFailed': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: 'The DC refused the bind (wrong account or password).' },
  'AD.InsufficientRights': { kind: 'fatal', exit: 4, category: 'PermissionDenied', meaning: 'The bind account lacks the rights for the operation.' },
  'AD.NotSecure': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'The DC requires an encrypted connection (use LDAPS or StartTLS).' },
  'AD.InvalidDN': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The DC found a DN malformed.' },
  'AD.NoSuchObject': { kind: 'fatal', exit: 1, category: 'ObjectNotFound', meaning: 'The object does not exist (LDAP 32).' },
  'AD.AlreadyExists': { kind: 'fatal', exit: 1, category: 'ResourceExists', meaning: 'An object with that name already exists (LDAP 68).' },
  'AD.ConstraintViolation': {
    kind: 'fatal',
    exit: 1,
    category: 'InvalidData',
    meaning: 'AD refused a value, for example a password its policy refuses (LDAP 19).',
  },
  'AD.NamingViolation': { kind: 'fatal', exit: 1, category: 'InvalidData', meaning: 'The name is not allowed there (LDAP 64).' },
  'AD.ObjectClassViolation': { kind: 'fatal', exit: 1, category: 'InvalidData', meaning: 'The object violates its class schema (LDAP 65).' },
  'AD.UnwillingToPerform': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'The DC is unwilling to perform the operation (LDAP 53).' },
  'AD.OperationFailed': {
    kind: 'fatal',
    exit: 1,
    category: 'NotSpecified',
    meaning: 'Any other LDAP failure (the message gives the LDAP code; exit 3 when it is a connection failure).',
  },
  'AD.GlobalCatalogNotFound': {
    kind: 'fatal',
    exit: 3,
    category: 'ConnectionError',
    meaning: 'dc.globalCatalog is always but no global catalog was found (this DC is none, DNS names none).',
  },
  'AD.PasswordPolicyUnreadable': {
    kind: 'fatal',
    exit: 4,
    category: 'PermissionDenied',
    meaning: "The bind account cannot read the domain's password policy.",
  },

  // Sync
  'Sync.ThresholdExceeded': {
    kind: 'fatal',
    exit: 5,
    category: 'LimitsExceeded',
    meaning: 'The plan disables or deletes more than the threshold allows, unforced.',
  },
  'Sync.SafetyLimit': {
    kind: 'fatal',
    exit: 1,
    category: 'LimitsExceeded',
    meaning: 'Non-fatal: a kind of destructive change is held back by the rolling safety limit.',
  },
  'Sync.NothingHeld': { kind: 'fatal', exit: 2, category: 'InvalidOperation', meaning: 'safety-approve without a count while nothing of that kind is held.' },
  'Sync.UserNotInScope': {
    kind: 'fatal',
    exit: 2,
    category: 'ObjectNotFound',
    meaning: 'The user is not bound to the ADI domain (directly or through a bound group).',
  },

  // The anchor key kept in AD (ad/anchorkey.ts, docs/anchor-trust.md)
  'AnchorKey.Unsafe': {
    kind: 'fatal',
    exit: 5,
    category: 'SecurityError',
    meaning: 'The anchor key object may be read or changed by someone besides the sync and the administrators (or holds no key): the sync refuses it.',
  },
  'AnchorKey.Missing': {
    kind: 'fatal',
    exit: 5,
    category: 'SecurityError',
    meaning: 'Anchors carry proofs but the anchor key object is gone or unreadable to this account: never made anew.',
  },
  'AnchorKey.Mismatch': {
    kind: 'fatal',
    exit: 5,
    category: 'SecurityError',
    meaning: "Anchors carry proofs and not one fits the key object's key: the key was replaced.",
  },

  // Groups (group-remove)
  'Group.NotFound': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'No such group under the root, or the name is ambiguous.' },
  'Group.NotManaged': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The group has no valid JumpCloud anchor, or is outside the root.' },
  'Group.StillBound': {
    kind: 'fatal',
    exit: 5,
    category: 'PermissionDenied',
    meaning: 'The group is still bound: the next sync would create it again with a new SID.',
  },
  'Group.Protected': {
    kind: 'fatal',
    exit: 5,
    category: 'PermissionDenied',
    meaning: 'A protected group (adminCount=1, critical system object or well-known group).',
  },

  // JumpCloud: the public API and the agent channel
  'JumpCloud.DomainNotFound': { kind: 'fatal', exit: 2, category: 'ObjectNotFound', meaning: 'No ADI domain with that name or id.' },
  'JumpCloud.AuthFailed': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: 'JumpCloud refused the API key (401).' },
  'JumpCloud.Forbidden': { kind: 'fatal', exit: 4, category: 'PermissionDenied', meaning: 'The API key may not do this (403).' },
  'JumpCloud.NotFound': { kind: 'fatal', exit: 1, category: 'ObjectNotFound', meaning: 'JumpCloud has no such object (404).' },
  'JumpCloud.RequestRejected': {
    kind: 'fatal',
    exit: 1,
    category: 'InvalidOperation',
    meaning: "JumpCloud refused the request (another 4xx), with JumpCloud's message.",
  },
  'JumpCloud.RateLimited': { kind: 'fatal', exit: 3, category: 'LimitsExceeded', meaning: '429 after the allowed retries.' },
  'JumpCloud.ServiceError': { kind: 'fatal', exit: 3, category: 'ConnectionError', meaning: '5xx after the allowed retries.' },
  'JumpCloud.Unreachable': { kind: 'fatal', exit: 3, category: 'ConnectionError', meaning: 'A network or TLS failure reaching JumpCloud.' },
  'JumpCloud.Timeout': { kind: 'fatal', exit: 3, category: 'OperationTimeout', meaning: 'JumpCloud did not answer in time.' },
  'JumpCloud.Cancelled': { kind: 'fatal', exit: 3, category: 'OperationTimeout', meaning: 'The call was cancelled (the command is stopping).' },
  'JumpCloud.ProxyUnreachable': {
    kind: 'fatal',
    exit: 3,
    category: 'ConnectionError',
    meaning: 'The proxy refused or closed the connection, or did not answer CONNECT in time.',
  },
  'JumpCloud.ProxyAuthFailed': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: 'The proxy wants credentials or refused them (407).' },
  'JumpCloud.ProxyRefused': {
    kind: 'fatal',
    exit: 3,
    category: 'ConnectionError',
    meaning: 'The proxy answered CONNECT with another status (details.status).',
  },
  'JumpCloud.ProxyInvalid': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'proxy "environment" with an unusable HTTPS_PROXY.' },
  'JumpCloud.SchemaMismatch': {
    kind: 'fatal',
    exit: 3,
    category: 'ProtocolError',
    meaning: 'A JumpCloud answer lacks a required field (names the endpoint and field path).',
  },
  'JumpCloud.ResponseTooLarge': {
    kind: 'fatal',
    exit: 3,
    category: 'ProtocolError',
    meaning: 'A JumpCloud answer past the size limit the engine reads; not retried.',
  },
  'JumpCloud.CaFileUnreadable': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The extra CA file for JumpCloud cannot be read.' },
  'JumpCloud.ConnectKeyInvalid': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: 'The agent channel does not know the connect key.' },
  'JumpCloud.ConnectKeyUsed': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'The connect key was already exchanged.' },
  'JumpCloud.ConnectKeyExpired': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'The connect key expired.' },
  'JumpCloud.InvalidRequest': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'The agent channel refused the request as malformed.' },
  'JumpCloud.AgentAuthFailed': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: "The agent channel refused the agent's credentials." },
  'JumpCloud.NotPrimary': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'Another agent of the domain is the primary.' },
  'JumpCloud.EventNotFound': { kind: 'fatal', exit: 1, category: 'InvalidOperation', meaning: 'The agent channel has no such event.' },
  'JumpCloud.EventNotForAgent': { kind: 'fatal', exit: 4, category: 'AuthenticationError', meaning: 'The event is not addressed to this agent.' },
  'JumpCloud.NoPasswordInEvent': { kind: 'fatal', exit: 1, category: 'InvalidData', meaning: 'A password event carries no password for this agent.' },
  'JumpCloud.PasswordUndecryptable': {
    kind: 'fatal',
    exit: 1,
    category: 'SecurityError',
    meaning: "An event's password cannot be opened with this agent's key.",
  },

  // The sync agent
  'Agent.NotInstalled': { kind: 'fatal', exit: 2, category: 'ObjectNotFound', meaning: 'No agent config in the install folder.' },
  'Agent.ConfigInvalid': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: "The agent's config is damaged or incomplete." },
  'Agent.ServerTypeChange': { kind: 'fatal', exit: 2, category: 'InvalidOperation', meaning: 'DC to member server (or back) in place: uninstall first.' },
  'Agent.DomainControllerRequired': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'A member server needs its domain controller.' },
  'Agent.InsecureLdapNotAcknowledged': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'Plain LDAP without allowInsecure and insecureRiskAcknowledged.',
  },
  'Agent.DomainMismatch': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: 'The connect key belongs to another ADI domain.' },
  'Agent.ConnectKeyMode': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'A connect key with the API-key mode.' },
  'Agent.SettingNotChangeable': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidOperation',
    meaning: 'agent-configure: a setting that defines the managed objects (the message names the way).',
  },
  'Agent.ConfigChanged': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidOperation',
    meaning: 'agent-configure: agent.json changed while the new settings were checked; nothing written.',
  },
  'Agent.EngineMissing': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The engine executable to install does not exist.' },
  'Agent.ServiceHostMissing': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The Windows service host to install does not exist.' },
  'Agent.Running': { kind: 'fatal', exit: 2, category: 'InvalidOperation', meaning: 'Uninstall of a running agent: stop it first.' },
  'Agent.KeyFileMissing': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: "The agent's key file is missing." },
  'Agent.KeyFileInsecure': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'The key file is readable by others: it must be 0600.' },
  'Agent.KeyFileInvalid': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'The key file does not hold a key of the right size.' },
  'Agent.SecretUnreadable': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: "A protected secret in the agent's config is damaged." },
  'Agent.SecretSchemeMismatch': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'A secret was protected on another platform.' },
  'Agent.DpapiFailed': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'Windows DPAPI could not protect or open a secret.' },
  'Agent.ServiceUserNotFound': { kind: 'fatal', exit: 2, category: 'ObjectNotFound', meaning: "The agent's service account does not exist on this host." },
  'Folder.Insecure': {
    kind: 'fatal',
    exit: 2,
    category: 'SecurityError',
    meaning: 'A folder the engine keeps secrets or state in has the wrong owner or access.',
  },
  'Folder.Link': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'That folder is a link (never followed).' },
  'Folder.NotAFolder': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'A file stands where the folder should be.' },
  'Folder.SecureFailed': { kind: 'fatal', exit: 2, category: 'SecurityError', meaning: 'Setting the folder owner and access failed.' },
  'Agent.RecordNotFound': {
    kind: 'fatal',
    exit: 2,
    category: 'ObjectNotFound',
    meaning: 'agent-record-remove: the ADI domain has no agent with that id in JumpCloud.',
  },
  'Agent.StartTimeout': { kind: 'fatal', exit: 3, category: 'OperationTimeout', meaning: 'The agent did not report running in time.' },
  'Agent.StartFailed': {
    kind: 'fatal',
    exit: 3,
    category: 'NotSpecified',
    meaning: 'The agent did not start (exit 10 when its process could not be spawned at all).',
  },
  'Password.UserNotInAD': { kind: 'record', exit: null, category: null, meaning: 'A password change for a user with no AD account managed by the sync.' },
  'Password.Protected': { kind: 'record', exit: null, category: null, meaning: 'A password change for a protected or privileged AD account: never applied.' },

  // CSV import and export
  'Csv.FileNotFound': { kind: 'fatal', exit: 2, category: 'ObjectNotFound', meaning: 'The CSV file does not exist.' },
  'Csv.FileUnreadable': { kind: 'fatal', exit: 2, category: 'ReadError', meaning: 'The CSV file cannot be opened.' },
  'Csv.FileTooLarge': { kind: 'fatal', exit: 2, category: 'LimitsExceeded', meaning: 'The CSV file is over the size limit.' },
  'Csv.Empty': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The CSV file is empty.' },
  'Csv.Encoding': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'A byte sequence invalid in the encoding (names the byte, offset and line).',
  },
  'Csv.Malformed': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: 'Broken CSV quoting (names the line).' },
  'Csv.TooManyRows': { kind: 'fatal', exit: 2, category: 'LimitsExceeded', meaning: 'More rows than the limit.' },
  'Csv.TooManyColumns': { kind: 'fatal', exit: 2, category: 'LimitsExceeded', meaning: 'More columns than the limit.' },
  'Csv.MissingColumn': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: 'A required column is missing (names each).' },
  'Csv.DuplicateColumn': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'A column is named twice.' },
  'Csv.ValidationFailed': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: 'Some rows are invalid; nothing was created.' },
  'Csv.DomainRequired': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'bindToDomain without a domain while the org has several ADI domains.',
  },
  'Csv.RowsFailed': { kind: 'fatal', exit: 1, category: 'InvalidData', meaning: 'Non-fatal: some rows were not imported (each result says why).' },
  'Csv.InvalidFilter': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The export LDAP filter is not well formed.' },
  'Csv.OutputExists': { kind: 'fatal', exit: 2, category: 'ResourceExists', meaning: 'The export file exists and replacing it was not allowed.' },
  'Csv.WriteFailed': { kind: 'fatal', exit: 2, category: 'WriteError', meaning: 'The export file cannot be written.' },
  'Csv.MissingFirstName': { kind: 'record', exit: null, category: null, meaning: 'A row without a first name.' },
  'Csv.MissingLastName': { kind: 'record', exit: null, category: null, meaning: 'A row without a last name.' },
  'Csv.MissingUsername': { kind: 'record', exit: null, category: null, meaning: 'A row without a username.' },
  'Csv.MissingEmail': { kind: 'record', exit: null, category: null, meaning: 'A row without an e-mail address.' },
  'Csv.MissingPassword': { kind: 'record', exit: null, category: null, meaning: 'A row without a password while one is required.' },
  'Csv.InvalidEmail': { kind: 'record', exit: null, category: null, meaning: 'A malformed e-mail address.' },
  'Csv.InvalidUsername': { kind: 'record', exit: null, category: null, meaning: 'A username JumpCloud does not accept.' },
  'Csv.InvalidGroupName': { kind: 'record', exit: null, category: null, meaning: 'A group name that cannot be used.' },
  'Csv.InvalidValue': { kind: 'record', exit: null, category: null, meaning: 'A value JumpCloud or the validation refused.' },
  'Csv.ValueTooLong': { kind: 'record', exit: null, category: null, meaning: 'A value over its length limit.' },
  'Csv.PasswordPolicy': { kind: 'record', exit: null, category: null, meaning: "A password the organization's policy refuses." },
  'Csv.FormulaInIdentifier': { kind: 'record', exit: null, category: null, meaning: 'A spreadsheet formula in a username or e-mail address.' },
  'Csv.ColumnCount': { kind: 'record', exit: null, category: null, meaning: 'A row with more or fewer cells than the header.' },
  'Csv.AttributeIncomplete': { kind: 'record', exit: null, category: null, meaning: 'An attribute column without its pair (name or value).' },
  'Csv.DuplicateUsername': { kind: 'record', exit: null, category: null, meaning: 'A username given on two rows.' },
  'Csv.DuplicateEmail': { kind: 'record', exit: null, category: null, meaning: 'An e-mail address given on two rows.' },
  'Csv.EmailTaken': { kind: 'record', exit: null, category: null, meaning: 'The e-mail address belongs to another JumpCloud user.' },
  'Csv.StepFailed': { kind: 'record', exit: null, category: null, meaning: 'A step of a row failed without an id of its own.' },
  'Sync.UnprovenAnchors': {
    kind: 'warning',
    exit: null,
    category: null,
    meaning: 'Objects carry anchors without a proof (an install from before the anchor key): left alone until adopted with -AdoptExisting.',
  },
  'Csv.FormulaNeutralised': { kind: 'warning', exit: null, category: null, meaning: 'A cell starting like a formula was neutralised.' },

  // The fleet (module/Private/ConvertFromJCRemoteError.ps1, Update-JCSyncAgent; docs/fleet.md)
  'Agent.LastActiveAgent': {
    kind: 'fatal',
    exit: 5,
    category: 'PermissionDenied',
    meaning: "agent-record-remove: the domain's last active agent, unforced; nothing removed.",
  },
  'Remote.Unreachable': {
    kind: 'module',
    exit: null,
    category: 'ConnectionError',
    meaning: 'PowerShell remoting cannot reach the server; the other servers go on.',
  },
  'Remote.ModuleMissing': { kind: 'module', exit: null, category: 'NotSpecified', meaning: 'The JumpCloudADI module does not load on the server.' },
  'Remote.CommandFailed': {
    kind: 'module',
    exit: null,
    category: 'NotSpecified',
    meaning: 'A remote failure without an id of the module (the message says what).',
  },
  'Remote.ComputerNameInvalid': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: 'An empty computer name.' },
  'Update.NotReady': {
    kind: 'module',
    exit: null,
    category: 'InvalidOperation',
    meaning: 'Update-JCSyncAgent: not every server answered with an installed agent; nothing upgraded.',
  },
  'Update.Stopped': {
    kind: 'module',
    exit: null,
    category: 'InvalidOperation',
    meaning: 'Update-JCSyncAgent stopped at a failure: where, what was and was not upgraded.',
  },

  // Rehearsal and reports
  'Rehearsal.SandboxCall': {
    kind: 'fatal',
    exit: 1,
    category: 'InvalidOperation',
    meaning: "The rehearsal's own sandbox refused an admin call; the check fails with it.",
  },
  'Rehearsal.ManifestInvalid': { kind: 'fatal', exit: 2, category: 'InvalidData', meaning: 'rehearsal-cleanup cannot read the manifest.' },
  'Rehearsal.RootUserDNInvalid': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: '-RootUserDN has no parent for the scratch OU.' },
  'Report.UnknownInput': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: 'Export-JCSyncReport got an object it cannot report.' },
  'Report.MixedInput': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: 'Export-JCSyncReport got objects of different kinds.' },
  'Report.FileExists': { kind: 'module', exit: null, category: 'ResourceExists', meaning: 'The report file exists and replacing it was not allowed.' },
  'Report.PathIsFolder': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: 'The report path is a folder.' },
  'Report.FolderMissing': { kind: 'module', exit: null, category: 'ObjectNotFound', meaning: "The report file's folder does not exist." },

  // Prerequisites, delegation and the service account
  'Delegation.SecurityDescriptorUnreadable': {
    kind: 'fatal',
    exit: 4,
    category: 'PermissionDenied',
    meaning: 'The bind account gets no nTSecurityDescriptor.',
  },
  'Delegation.BadSecurityDescriptor': {
    kind: 'fatal',
    exit: 3,
    category: 'InvalidData',
    meaning: 'A malformed security descriptor (names the problem and byte offset).',
  },
  'Delegation.NotApplied': { kind: 'fatal', exit: 1, category: 'WriteError', meaning: 'The DC took the new DACL but does not show an added ACE.' },
  'ServiceAccount.NotFound': { kind: 'fatal', exit: 2, category: 'ObjectNotFound', meaning: 'No such service account.' },
  'ServiceAccount.Ambiguous': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'More than one account matches the name.' },
  'ServiceAccount.ContainerInvalid': { kind: 'fatal', exit: 2, category: 'InvalidArgument', meaning: 'The container for the new account is not valid.' },
  'ServiceAccount.Exists': { kind: 'fatal', exit: 1, category: 'ResourceExists', meaning: 'The logon name, UPN or DN is taken.' },
  'ServiceAccount.VerifyFailed': { kind: 'fatal', exit: 1, category: 'AuthenticationError', meaning: 'AD took the new password but a bind with it failed.' },
  'ServiceAccount.AgentAccountMismatch': {
    kind: 'fatal',
    exit: 2,
    category: 'InvalidArgument',
    meaning: 'The agent at installPath binds as another account; nothing changed.',
  },
  'ServiceAccount.NameNotAllowed': { kind: 'module', exit: null, category: 'InvalidArgument', meaning: 'The logon name JumpCloud is refused by the module.' },
} as const;

export type ErrorId = keyof typeof ERROR_IDS;

/** True when `id` is a catalogued id (for ids that arrive as data, such as an agent's last error). */
export function isErrorId(id: string): id is ErrorId {
  return Object.prototype.hasOwnProperty.call(ERROR_IDS, id);
}
