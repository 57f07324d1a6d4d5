// policy-alignment: JumpCloud's org password policy against the AD domain policy and the PSOs in
// effect under the root container. One finding per rule and AD policy; Mismatch means a password
// JumpCloud accepts can be refused by AD when the agent sets it.
import * as z from 'zod';
import { readApplyingPsos, readDomainPolicy, type AdPasswordPolicy } from '../../ad/passwordpolicy';
import { AdSession } from '../../ad/session';
import { readDomainInfo } from '../../ad/security';
import { dcSchema } from '../../config/request';
import { rootDnOf } from '../../delegation/inspect';
import { jumpcloudConnectionSchema } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import type { PasswordPolicy } from '../../jumpcloud/schemas';
import { compareWithAd, jumpCloudRules, type AlignmentFinding } from '../../prerequisites/alignment';
import type { CommandContext } from '../command';
import { defineCommand } from '../command';
import { ExitCode } from '../../errors';

export interface AdPolicies {
  policies: AdPasswordPolicy[];
  psoReadable: boolean;
}

/** The domain policy plus the PSOs that apply under the root container (when one is given). */
export async function readAdPolicies(session: AdSession, rootDn: string | null, reporter: CommandContext['reporter']): Promise<AdPolicies> {
  const domain = await readDomainInfo(session);
  const policies: AdPasswordPolicy[] = [await readDomainPolicy(session, domain.dn)];
  if (!rootDn) return { policies, psoReadable: true };
  const psos = await readApplyingPsos(session, domain.dn, rootDn);
  if (!psos.readable) {
    reporter.log('warning', `${session.dc.bindDN} cannot read the Password Settings Container: fine-grained password policies (PSOs) were not checked.`);
  }
  for (const pso of psos.applying) {
    reporter.log('verbose', `${pso.source} applies: ${pso.reason}.`);
    policies.push(pso);
  }
  return { policies, psoReadable: psos.readable };
}

function alignmentRecord(finding: AlignmentFinding): Record<string, unknown> {
  return {
    Rule: finding.rule,
    AdPolicy: finding.adPolicy,
    Status: finding.status,
    JumpCloud: finding.jumpCloud,
    ActiveDirectory: finding.activeDirectory,
    Detail: finding.detail,
    ChangeInJumpCloud: finding.changeInJumpCloud,
    ChangeInActiveDirectory: finding.changeInActiveDirectory,
  };
}

export function alignAll(policy: PasswordPolicy, adPolicies: readonly AdPasswordPolicy[]): AlignmentFinding[] {
  const jc = jumpCloudRules(policy);
  return adPolicies.flatMap((ad) => compareWithAd(jc, ad));
}

export const policyAlignmentCommand = defineCommand({
  name: 'policy-alignment',
  description: 'Compare the JumpCloud password policy with the AD domain policy and PSOs; list the rules where AD could refuse a JumpCloud password.',
  params: z.strictObject({
    jumpcloud: jumpcloudConnectionSchema,
    dc: dcSchema,
    rootUserDN: z.string().min(1).max(4096).optional(),
  }),
  async run(params, ctx) {
    const { reporter } = ctx;
    const activity = 'Comparing password policies';
    const rootDn = params.rootUserDN ? rootDnOf(params.rootUserDN) : null;
    reporter.progress({ activity, status: 'Reading the JumpCloud password policy', percent: 10 });
    const client = await openJumpCloud(params.jumpcloud, ctx);
    let policy: PasswordPolicy;
    try {
      policy = await client.getPasswordPolicy();
    } finally {
      client.close();
    }
    reporter.progress({ activity, status: `Reading the AD password policies on ${params.dc.host}`, percent: 40 });
    const session = await AdSession.open(params.dc);
    let ad: AdPolicies;
    try {
      ad = await readAdPolicies(session, rootDn, reporter);
    } finally {
      await session.close();
    }
    const findings = alignAll(policy, ad.policies);
    for (const finding of findings) reporter.record('JumpCloudADI.PasswordPolicyFinding', alignmentRecord(finding));
    reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
    const mismatches = findings.filter((f) => f.status === 'Mismatch');
    return {
      exitCode: ExitCode.Ok,
      summary: {
        aligned: mismatches.length === 0,
        mismatches: mismatches.map((f) => `${f.adPolicy}: ${f.rule}`),
        adPolicies: ad.policies.map((p) => p.source),
        psoReadable: ad.psoReadable,
      },
    };
  },
});
