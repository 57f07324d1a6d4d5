// Names of the LDAP controls an admin (and this engine) cares about, by OID.
const KNOWN_CONTROLS: Record<string, string> = {
  '1.2.840.113556.1.4.319': 'Paged results',
  '1.2.840.113556.1.4.801': 'Security descriptor flags',
  '1.2.840.113556.1.4.473': 'Server-side sort',
  '1.2.840.113556.1.4.528': 'Change notification',
  '1.2.840.113556.1.4.417': 'Show deleted',
  '1.2.840.113556.1.4.841': 'DirSync',
  '1.2.840.113556.1.4.1413': 'Permissive modify',
  '1.2.840.113556.1.4.805': 'Tree delete',
  '1.2.840.113556.1.4.1339': 'Domain scope',
  '1.2.840.113556.1.4.1340': 'Search options',
  '1.2.840.113556.1.4.529': 'Extended DN',
  '1.2.840.113556.1.4.2239': 'Policy hints',
  '1.2.840.113556.1.4.2066': 'Policy hints (deprecated OID)',
  '2.16.840.1.113730.3.4.9': 'Virtual list view',
  '1.2.840.113556.1.4.1504': 'Attribute scoped query',
};

export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

export function describeControl(oid: string): string {
  const known = KNOWN_CONTROLS[oid];
  return known ? `${known} (${oid})` : oid;
}
