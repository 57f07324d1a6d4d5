// jc-ping: reach JumpCloud with the given key and report what an admin checks before installing
// an agent: the organization, its password policy, the user count, and the ADI domains with their
// agents. Read-only.
import * as z from 'zod';
import { jumpcloudConnectionSchema, resolveEndpoints } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import { ExitCode } from '../../errors';
import { defineCommand } from '../command';

export const jcPingCommand = defineCommand({
  name: 'jc-ping',
  description: 'Reach JumpCloud with an API key and report the organization and its ADI domains.',
  params: z.strictObject({ jumpcloud: jumpcloudConnectionSchema }),
  async run({ jumpcloud }, { reporter, signal }) {
    const endpoints = resolveEndpoints(jumpcloud);
    const client = await openJumpCloud(jumpcloud, { reporter, signal });
    const activity = 'Testing JumpCloud';
    try {
      reporter.progress({ activity, status: `Connecting to ${endpoints.baseUrl}`, percent: 10 });
      const started = Date.now();
      const org = await client.currentOrganization();
      const latencyMs = Date.now() - started;

      reporter.progress({ activity, status: 'Counting users', percent: 40 });
      const userCount = await client.countUsers();

      reporter.progress({ activity, status: 'Listing ADI domains', percent: 60 });
      const domains: Array<Record<string, unknown>> = [];
      for await (const ad of client.listActiveDirectories()) {
        const agents: Array<Record<string, unknown>> = [];
        for await (const agent of client.listAgents(ad.id)) {
          agents.push({
            Id: agent.id,
            Hostname: agent.hostname ?? null,
            State: agent.state ?? null,
            ContactAt: agent.contactAt ?? null,
            Version: agent.version ?? null,
          });
        }
        domains.push({
          Id: ad.id,
          Domain: ad.domain,
          UseCase: ad.useCase ?? null,
          PrimaryAgent: ad.primaryAgent || null,
          Agents: agents,
          ActiveAgents: agents.filter((a) => a.State === 'active').length,
        });
      }
      const policy = org.settings?.passwordPolicy ?? null;
      reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
      reporter.record('JumpCloudADI.JumpCloudInfo', {
        BaseUrl: endpoints.baseUrl,
        Region: endpoints.region,
        OrgId: org._id,
        OrgName: org.displayName ?? null,
        UserCount: userCount,
        Domains: domains,
        PasswordPolicy: policy && {
          MinLength: policy.enableMinLength === false ? null : (policy.minLength ?? null),
          NeedsLowercase: policy.needsLowercase ?? null,
          NeedsUppercase: policy.needsUppercase ?? null,
          NeedsNumeric: policy.needsNumeric ?? null,
          NeedsSymbolic: policy.needsSymbolic ?? null,
          MaxHistory: policy.enableMaxHistory ? (policy.maxHistory ?? null) : null,
          ExpirationDays: policy.enablePasswordExpirationInDays ? (policy.passwordExpirationInDays ?? null) : null,
        },
        LatencyMilliseconds: latencyMs,
      });
      return { exitCode: ExitCode.Ok, summary: { reachable: true, domains: domains.length } };
    } finally {
      client.close();
    }
  },
});
