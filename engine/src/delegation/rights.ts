// Directory-service access rights, well-known SIDs and schema GUIDs the delegation needs
// (docs/delegation.md, MS-ADTS 5.1.3.2, MS-DTYP 2.4.2.4).

export const RIGHT = {
  CreateChild: 0x1,
  DeleteChild: 0x2,
  ListChildren: 0x4,
  Self: 0x8,
  ReadProperty: 0x10,
  WriteProperty: 0x20,
  DeleteTree: 0x40,
  ListObject: 0x80,
  ControlAccess: 0x100,
  Delete: 0x10000,
  ReadControl: 0x20000,
  WriteDac: 0x40000,
  WriteOwner: 0x80000,
  GenericAll: 0x10000000,
  GenericExecute: 0x20000000,
  GenericWrite: 0x40000000,
  GenericRead: 0x80000000,
} as const;

/** GENERIC_ALL as AD stores it: every DS right plus the standard rights (0x000F01FF). */
export const DS_FULL_CONTROL = 0x000f01ff;

/** AD's generic mapping (MS-ADTS 5.1.3.3.2). */
const GENERIC_MAPPING: ReadonlyArray<[number, number]> = [
  [RIGHT.GenericAll, DS_FULL_CONTROL],
  [RIGHT.GenericRead, RIGHT.ReadControl | RIGHT.ListChildren | RIGHT.ReadProperty | RIGHT.ListObject],
  [RIGHT.GenericWrite, RIGHT.ReadControl | RIGHT.Self | RIGHT.WriteProperty],
  [RIGHT.GenericExecute, RIGHT.ReadControl | RIGHT.ListChildren],
];

/** The specific rights a mask stands for, with generic bits expanded. */
export function mapGenericRights(mask: number): number {
  let out = mask >>> 0;
  for (const [generic, specific] of GENERIC_MAPPING) {
    if ((out & generic) >>> 0 !== 0) out = ((out & ~generic) | specific) >>> 0;
  }
  return out >>> 0;
}

/** SDDL two-letter codes, in the order Windows prints them. */
export const SDDL_RIGHTS: ReadonlyArray<[string, number]> = [
  ['CC', RIGHT.CreateChild],
  ['DC', RIGHT.DeleteChild],
  ['LC', RIGHT.ListChildren],
  ['SW', RIGHT.Self],
  ['RP', RIGHT.ReadProperty],
  ['WP', RIGHT.WriteProperty],
  ['DT', RIGHT.DeleteTree],
  ['LO', RIGHT.ListObject],
  ['CR', RIGHT.ControlAccess],
  ['SD', RIGHT.Delete],
  ['RC', RIGHT.ReadControl],
  ['WD', RIGHT.WriteDac],
  ['WO', RIGHT.WriteOwner],
  ['GA', RIGHT.GenericAll],
  ['GX', RIGHT.GenericExecute],
  ['GW', RIGHT.GenericWrite],
  ['GR', RIGHT.GenericRead],
];

const RIGHT_NAMES: Record<string, string> = {
  CC: 'Create child objects',
  DC: 'Delete child objects',
  LC: 'List contents',
  SW: 'Validated write',
  RP: 'Read property',
  WP: 'Write property',
  DT: 'Delete subtree',
  LO: 'List object',
  CR: 'Extended right',
  SD: 'Delete',
  RC: 'Read permissions',
  WD: 'Modify permissions',
  WO: 'Modify owner',
};

/** Human names of the rights in a mask: "Modify permissions (WD), Modify owner (WO)". */
export function describeRights(mask: number): string {
  if ((mask & DS_FULL_CONTROL) >>> 0 === DS_FULL_CONTROL) return 'Full control (GA): every right';
  const codes = SDDL_RIGHTS.filter(([, bit]) => (mask & bit) >>> 0 !== 0).map(([code]) => code);
  return codes.map((code) => `${RIGHT_NAMES[code] ?? code} (${code})`).join(', ');
}

export const WELL_KNOWN_SID = {
  Everyone: 'S-1-1-0',
  CreatorOwner: 'S-1-3-0',
  AuthenticatedUsers: 'S-1-5-11',
  PrincipalSelf: 'S-1-5-10',
  LocalSystem: 'S-1-5-18',
  Administrators: 'S-1-5-32-544',
  AccountOperators: 'S-1-5-32-548',
  ServerOperators: 'S-1-5-32-549',
  PrintOperators: 'S-1-5-32-550',
  BackupOperators: 'S-1-5-32-551',
  Replicator: 'S-1-5-32-552',
} as const;

/** Domain-relative RIDs of the groups whose members AD protects (AdminSDHolder). */
export const PROTECTED_DOMAIN_RIDS: Readonly<Record<number, string>> = {
  512: 'Domain Admins',
  518: 'Schema Admins',
  519: 'Enterprise Admins',
};

/** Builtin groups whose members AD protects (docs/delegation.md). */
export const PROTECTED_BUILTIN_SIDS: Readonly<Record<string, string>> = {
  [WELL_KNOWN_SID.Administrators]: 'Administrators',
  [WELL_KNOWN_SID.AccountOperators]: 'Account Operators',
  [WELL_KNOWN_SID.ServerOperators]: 'Server Operators',
  [WELL_KNOWN_SID.PrintOperators]: 'Print Operators',
  [WELL_KNOWN_SID.BackupOperators]: 'Backup Operators',
  [WELL_KNOWN_SID.Replicator]: 'Replicator',
};

/** SDDL SID aliases that do not depend on the domain. */
export const SDDL_SID_ALIASES: Readonly<Record<string, string>> = {
  WD: WELL_KNOWN_SID.Everyone,
  CO: WELL_KNOWN_SID.CreatorOwner,
  AU: WELL_KNOWN_SID.AuthenticatedUsers,
  PS: WELL_KNOWN_SID.PrincipalSelf,
  SY: WELL_KNOWN_SID.LocalSystem,
  BA: WELL_KNOWN_SID.Administrators,
  AO: WELL_KNOWN_SID.AccountOperators,
  SO: WELL_KNOWN_SID.ServerOperators,
  PO: WELL_KNOWN_SID.PrintOperators,
  BO: WELL_KNOWN_SID.BackupOperators,
  RE: WELL_KNOWN_SID.Replicator,
  ED: 'S-1-5-9',
  RU: 'S-1-5-32-554',
};

/** Schema and extended-right GUIDs (docs/delegation.md; property sets from MS-ADTS 5.1.3.2.1). */
export const GUID = {
  userClass: 'bf967aba-0de6-11d0-a285-00aa003049e2',
  groupClass: 'bf967a9c-0de6-11d0-a285-00aa003049e2',
  resetPassword: '00299570-246d-11d0-a768-00aa006e0529',
  pwdLastSet: 'bf967a0a-0de6-11d0-a285-00aa003049e2',
  member: 'bf9679c0-0de6-11d0-a285-00aa003049e2',
  unicodePwd: 'bf9679e1-0de6-11d0-a285-00aa003049e2',
  /** Property set User-Account-Restrictions (holds pwdLastSet, userAccountControl, …). */
  userAccountRestrictions: '4c164200-20c0-11d0-a768-00aa003049e2',
  /** Property set Membership (holds member, memberOf). */
  membershipPropertySet: 'bc0ac240-79a9-11d0-9020-00c04fc2d4cf',
} as const;

/** The property set an attribute belongs to, for the attributes the tasks name. */
export const PROPERTY_SET_OF: Readonly<Record<string, string>> = {
  [GUID.pwdLastSet]: GUID.userAccountRestrictions,
  [GUID.member]: GUID.membershipPropertySet,
};
