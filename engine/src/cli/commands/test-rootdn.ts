// test-rootdn: validate a Root User DN in ADI form, convert it to LDAP, check it lies in the
// given ADI domain and, with a DC, that the container exists. A bad DN is a result, not an error.
// The LDAP session (ldapts, TLS) loads only when a DC is given: the offline check starts faster.
import * as z from 'zod';
import { matchDomain, parseAdiDN } from '../../ad/rootdn';
import { dcSchema } from '../../config/request';
import { ExitCode } from '../../errors';
import { defineCommand } from '../command';

export const testRootDnCommand = defineCommand({
  name: 'test-rootdn',
  description: 'Validate a Root User DN (ADI format) and optionally check it in AD.',
  params: z.strictObject({
    rootUserDN: z.string().max(4096),
    domain: z.string().max(1024).optional(),
    server: dcSchema.optional(),
  }),
  async run(params, { reporter }) {
    const root = parseAdiDN(params.rootUserDN, 'root');
    const problems = [...root.problems];
    let underDomain: boolean | null = null;
    let exists: boolean | null = null;

    if (params.domain !== undefined) {
      const domain = parseAdiDN(params.domain, 'domain');
      if (!domain.isValid) {
        problems.push(...domain.problems.map((p) => `Domain: ${p}`));
        underDomain = false;
      } else if (root.isValid) {
        const match = matchDomain(root, domain);
        underDomain = match.underDomain;
        if (match.problem) problems.push(match.problem);
      }
    }

    if (params.server && root.isValid && root.ldapDN) {
      reporter.log('verbose', `Checking that ${root.ldapDN} exists on ${params.server.host}`);
      const { AdSession } = await import('../../ad/session');
      const session = await AdSession.open(params.server);
      try {
        const entry = await session.readObject(root.ldapDN, ['distinguishedName', 'objectClass']);
        exists = entry !== null;
        if (!exists) {
          problems.push(`The container ${root.ldapDN} does not exist on ${session.where}, or the account ${params.server.bindDN} cannot see it.`);
        }
      } finally {
        await session.close();
      }
    }

    const isValid = root.isValid && underDomain !== false && exists !== false;
    reporter.record('JumpCloudADI.RootDNResult', {
      RootUserDN: params.rootUserDN,
      IsValid: isValid,
      LdapDN: root.ldapDN,
      Domain: root.domain,
      UnderDomain: underDomain,
      Exists: exists,
      Problems: problems,
    });
    return { exitCode: ExitCode.Ok, summary: { isValid } };
  },
});
