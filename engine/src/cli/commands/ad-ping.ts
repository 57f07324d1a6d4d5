// ad-ping: bind to a DC and report what an admin needs to know before installing an agent:
// naming context, host name, TLS certificate, supported controls, and whether the bind account
// can read the root user container.
import * as z from 'zod';
import { describeControl, PAGED_RESULTS_OID } from '../../ad/controls';
import { parseAdiDN } from '../../ad/rootdn';
import { AdSession, defaultPort } from '../../ad/session';
import { probeTls, type TlsInfo } from '../../ad/tlsprobe';
import { dcSchema } from '../../config/request';
import { badRequest, ExitCode } from '../../errors';
import { defineCommand } from '../command';

export const adPingCommand = defineCommand({
  name: 'ad-ping',
  description: 'Bind to a domain controller and report its details.',
  params: z.strictObject({
    dc: dcSchema,
    rootUserDN: z.string().max(4096).optional(),
  }),
  async run({ dc, rootUserDN }, { reporter }) {
    const root = rootUserDN === undefined ? null : parseAdiDN(rootUserDN, 'root');
    if (root && !root.isValid) {
      throw badRequest('RootDN.Invalid', `The Root User DN '${rootUserDN}' is not valid: ${root.problems.join(' ')}`, rootUserDN ?? null);
    }
    const port = dc.port ?? defaultPort(dc.mode);
    if (dc.mode === 'ldap') reporter.log('warning', `Plain LDAP to ${dc.host}:${port}: passwords and user data cross the network unencrypted.`);

    reporter.progress({ activity: 'Testing domain controller', status: `Connecting to ${dc.host}:${port}`, percent: 10 });
    let certificate: TlsInfo | null = null;
    if (dc.mode === 'ldaps') certificate = await probeTls(dc, port);

    const started = Date.now();
    const session = await AdSession.open(dc);
    try {
      const bindMs = Date.now() - started;
      reporter.progress({ activity: 'Testing domain controller', status: 'Reading the rootDSE', percent: 50 });
      const dse = await session.rootDse();
      const problems: string[] = [];
      if (!dse.supportedControls.includes(PAGED_RESULTS_OID)) problems.push('The DC does not announce the paged results control.');
      if (certificate && certificate.daysUntilExpiry < 30) problems.push(`The DC's certificate expires in ${certificate.daysUntilExpiry} days.`);

      let canRead: boolean | null = null;
      if (root?.ldapDN) {
        reporter.progress({ activity: 'Testing domain controller', status: `Reading ${root.ldapDN}`, percent: 80 });
        canRead = (await session.readObject(root.ldapDN, ['distinguishedName'])) !== null;
        if (!canRead) problems.push(`The account ${dc.bindDN} cannot read ${root.ldapDN}: it does not exist or is not visible to the account.`);
        if (root.ldapDN.toLowerCase().endsWith(dse.defaultNamingContext.toLowerCase()) === false) {
          problems.push(`The Root User DN is not in this DC's domain (${dse.defaultNamingContext}).`);
        }
      }
      reporter.progress({ activity: 'Testing domain controller', status: 'Done', percent: 100, completed: true });
      reporter.record('JumpCloudADI.DomainControllerInfo', {
        Server: dc.host,
        Port: port,
        Mode: dc.mode,
        TlsVerified: dc.mode !== 'ldap',
        Certificate: certificate && {
          Subject: certificate.subject,
          Issuer: certificate.issuer,
          SubjectAltNames: certificate.subjectAltNames,
          ValidTo: certificate.validTo,
          DaysUntilExpiry: certificate.daysUntilExpiry,
          Protocol: certificate.protocol,
        },
        DefaultNamingContext: dse.defaultNamingContext,
        DnsHostName: dse.dnsHostName,
        ServerName: dse.serverName,
        DomainFunctionality: dse.domainFunctionality,
        DomainControllerFunctionality: dse.domainControllerFunctionality,
        HighestCommittedUSN: dse.highestCommittedUSN,
        SupportedControls: dse.supportedControls.map(describeControl),
        BoundAs: dc.bindDN,
        BindMilliseconds: bindMs,
        RootUserDN: root?.ldapDN ?? null,
        CanReadRootContainer: canRead,
        Problems: problems,
      });
      return { exitCode: ExitCode.Ok, summary: { reachable: true } };
    } finally {
      await session.close();
    }
  },
});
