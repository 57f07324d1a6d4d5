// ADI domains and sync agent records in JumpCloud (New-/Get-JCADIDomain, New-JCSyncConnectKey):
// register a domain in the product's format (DC=example;DC=com) with the "manage in JumpCloud"
// use case, list domains with their agents, and create a sync agent record with its one-time
// connect key. The key travels back once, in the `Key` field of a JumpCloudADI.SyncConnectKey
// record; the module turns it into a SecureString at once and never prints it.
import * as z from 'zod';
import { parseAdiDN } from '../../ad/rootdn';
import { jumpcloudConnectionSchema } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import type { ActiveDirectory } from '../../jumpcloud/schemas';
import type { JumpCloudClient } from '../../jumpcloud/client';
import { findDomain } from '../../sync/gather';
import { defineCommand } from '../command';
import { badRequest, EngineError, ExitCode } from '../../errors';

/** JumpCloud's ADI use cases; "manage users, groups and passwords in JumpCloud" is JCASAUTHORITY. */
const USE_CASES = ['JCASAUTHORITY', 'TWOWAYSYNC', 'ADASAUTHORITY', 'UNSET'] as const;
const CONNECT_KEY_DAYS = 7;

async function domainRecord(client: JumpCloudClient, ad: ActiveDirectory): Promise<Record<string, unknown>> {
  const agents: Array<Record<string, unknown>> = [];
  for await (const agent of client.listAgents(ad.id)) {
    agents.push({
      Id: agent.id,
      Type: agent.agentType ?? null,
      Hostname: agent.hostname || null,
      State: agent.state ?? null,
      ContactAt: agent.contactAt ?? null,
      Version: agent.version || null,
    });
  }
  return {
    Id: ad.id,
    Domain: ad.domain,
    UseCase: ad.useCase ?? null,
    PrimaryAgent: ad.primaryAgent || null,
    AgentCount: agents.length,
    ActiveAgents: agents.filter((a) => a.State === 'active').length,
    Agents: agents,
    UpdatedAt: ad.updatedAt ?? null,
  };
}

export const adiDomainNewCommand = defineCommand({
  name: 'adi-domain-new',
  description: 'Register an ADI domain (DC=example;DC=com) in JumpCloud with a use case.',
  params: z.strictObject({
    jumpcloud: jumpcloudConnectionSchema,
    domain: z.string().min(1).max(1024),
    useCase: z.enum(USE_CASES).default('JCASAUTHORITY'),
    whatIf: z.boolean().default(false),
  }),
  async run(params, ctx) {
    const parsed = parseAdiDN(params.domain, 'domain');
    if (!parsed.isValid) throw badRequest('ADIDomain.Invalid', `The ADI domain '${params.domain}' is not valid: ${parsed.problems.join(' ')}`, params.domain);
    const client = await openJumpCloud(params.jumpcloud, ctx);
    try {
      for await (const ad of client.listActiveDirectories()) {
        if (ad.domain.toLowerCase() === params.domain.toLowerCase()) {
          throw new EngineError(
            'ADIDomain.Exists',
            ad.domain === params.domain
              ? `The ADI domain ${ad.domain} already exists in JumpCloud (id ${ad.id}).`
              : `The ADI domain is already registered as ${ad.domain} (id ${ad.id}), differing only in case; use that one.`,
            { category: 'ResourceExists', exitCode: ExitCode.BadRequest, target: ad.domain },
          );
        }
      }
      if (params.whatIf) {
        ctx.reporter.log('info', `What if: would register the ADI domain ${params.domain} (use case ${params.useCase}).`);
        return { exitCode: ExitCode.Ok, summary: { whatIf: true } };
      }
      const created = await client.createActiveDirectory(params.domain, params.useCase);
      ctx.reporter.record('JumpCloudADI.ADIDomain', await domainRecord(client, created));
      return { exitCode: ExitCode.Ok, summary: { id: created.id } };
    } finally {
      client.close();
    }
  },
});

export const adiDomainListCommand = defineCommand({
  name: 'adi-domain-list',
  description: 'List the ADI domains of the JumpCloud organization, with their agents (or one domain, by id or name).',
  params: z.strictObject({ jumpcloud: jumpcloudConnectionSchema, domain: z.string().min(1).max(1024).optional() }),
  async run(params, ctx) {
    const client = await openJumpCloud(params.jumpcloud, ctx);
    try {
      let count = 0;
      if (params.domain) {
        ctx.reporter.record('JumpCloudADI.ADIDomain', await domainRecord(client, await findDomain(client, params.domain)));
        count = 1;
      } else {
        const domains: ActiveDirectory[] = [];
        for await (const ad of client.listActiveDirectories()) domains.push(ad);
        for (const ad of domains) ctx.reporter.record('JumpCloudADI.ADIDomain', await domainRecord(client, ad));
        count = domains.length;
      }
      return { exitCode: ExitCode.Ok, summary: { domains: count } };
    } finally {
      client.close();
    }
  },
});

export const agentConnectKeyNewCommand = defineCommand({
  name: 'agent-connect-key-new',
  description: 'Create a sync agent record for an ADI domain and return its one-time connect key.',
  params: z.strictObject({ jumpcloud: jumpcloudConnectionSchema, domain: z.string().min(1).max(1024), whatIf: z.boolean().default(false) }),
  async run(params, ctx) {
    const client = await openJumpCloud(params.jumpcloud, ctx);
    try {
      const domain = await findDomain(client, params.domain);
      if (params.whatIf) {
        ctx.reporter.log('info', `What if: would create a sync agent record and connect key for ${domain.domain}.`);
        return { exitCode: ExitCode.Ok, summary: { whatIf: true } };
      }
      const created = await client.createAgent(domain.id, 'SYNC');
      const now = new Date();
      ctx.reporter.record('JumpCloudADI.SyncConnectKey', {
        AgentId: created.id,
        DomainId: domain.id,
        Domain: domain.domain,
        CreatedAt: now.toISOString(),
        ExpiresAt: new Date(now.getTime() + CONNECT_KEY_DAYS * 86_400_000).toISOString(),
        Key: created.connectKey,
      });
      return { exitCode: ExitCode.Ok, summary: { agentId: created.id } };
    } finally {
      client.close();
    }
  },
});

export const agentRecordRemoveCommand = defineCommand({
  name: 'agent-record-remove',
  description: 'Delete a sync agent record from an ADI domain in JumpCloud (a dead server), refusing the last active agent unless forced.',
  params: z.strictObject({
    jumpcloud: jumpcloudConnectionSchema,
    domain: z.string().min(1).max(1024),
    agentId: z.string().min(1).max(128),
    force: z.boolean().default(false),
    whatIf: z.boolean().default(false),
  }),
  async run(params, ctx) {
    const client = await openJumpCloud(params.jumpcloud, ctx);
    try {
      const domain = await findDomain(client, params.domain);
      const agents = [];
      for await (const agent of client.listAgents(domain.id)) agents.push(agent);
      const agent = agents.find((a) => a.id === params.agentId);
      if (!agent) {
        throw new EngineError(
          'Agent.RecordNotFound',
          `The ADI domain ${domain.domain} has no agent ${params.agentId} in JumpCloud (it has ${agents.length === 0 ? 'none' : agents.map((a) => a.id).join(', ')}).`,
          {
            category: 'ObjectNotFound',
            exitCode: ExitCode.BadRequest,
            target: params.agentId,
          },
        );
      }
      const active = agent.state === 'active';
      const othersActive = agents.filter((a) => a.id !== agent.id && a.state === 'active').length;
      if (active && othersActive === 0 && !params.force) {
        throw new EngineError(
          'Agent.LastActiveAgent',
          `Agent ${agent.id}${agent.hostname ? ` (${agent.hostname})` : ''} is the last active agent of ${domain.domain}: without it no agent syncs the domain. Nothing was removed; use -Force to remove it anyway.`,
          { category: 'PermissionDenied', exitCode: ExitCode.Refused, target: agent.id },
        );
      }
      if (active) {
        ctx.reporter.log(
          'warning',
          `Agent ${agent.id}${agent.hostname ? ` on ${agent.hostname}` : ''} is still active: once its record is removed its credentials stop working (JumpCloud.AgentAuthFailed). Uninstall it on its server.`,
        );
      }
      const record = {
        Domain: domain.domain,
        DomainId: domain.id,
        AgentId: agent.id,
        Hostname: agent.hostname || null,
        State: agent.state ?? null,
        ContactAt: agent.contactAt ?? null,
        Version: agent.version || null,
        WasPrimary: domain.primaryAgent === agent.id,
        Removed: false,
      };
      if (params.whatIf) {
        ctx.reporter.log('info', `What if: would remove agent ${agent.id} (${agent.state ?? 'unknown state'}) from ${domain.domain}.`);
        ctx.reporter.record('JumpCloudADI.SyncAgentRecordRemoval', record);
        return { exitCode: ExitCode.Ok, summary: { whatIf: true } };
      }
      await client.deleteAgent(domain.id, agent.id);
      ctx.reporter.record('JumpCloudADI.SyncAgentRecordRemoval', { ...record, Removed: true });
      return { exitCode: ExitCode.Ok, summary: { agentId: agent.id } };
    } finally {
      client.close();
    }
  },
});
