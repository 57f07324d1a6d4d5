// group-remove: the administrator's explicit deletion of a group the sync manages. The sync
// itself never deletes a group (a group leaving the scope is emptied of managed members and
// marked ;unbound, docs/anchor-trust.md): its SID is named in ACLs, GPO filters and
// applications, and a new group would get a new SID. This command lists what it deletes (the
// group, its SID and its members) and deletes only with whatIf false; it refuses a group that is
// still bound (the next sync would create a new one), one the sync does not manage, and
// protected or critical ones.
import * as z from 'zod';
import { DEFAULT_ANCHOR_ATTRIBUTE, isProtectedEntry, membersOf } from '../../ad/directory';
import { ANCHOR_KEY_PROBLEM, parseAnchorKey, proofFitsEntry } from '../../ad/anchorproof';
import { sidFromBytes } from '../../ad/binary';
import { escapeFilterValue } from '../../ad/escape';
import { decodeAnchor, isUnderDn } from '../../ad/names';
import { parseAdiDN } from '../../ad/rootdn';
import { AdSession } from '../../ad/session';
import { binaryAttribute, textAttribute } from '../../ad/entry';
import { AdWriter } from '../../ad/writer';
import { resolveAnchorKey } from '../../ad/anchorkey';
import { dcSchema } from '../../config/request';
import { badRequest, EngineError, ExitCode, type ErrorId } from '../../errors';
import { defineCommand } from '../command';

const groupRemoveParamsSchema = z.strictObject({
  dc: dcSchema,
  rootUserDN: z.string().min(1).max(4096),
  /** The group: its name (cn or sAMAccountName) under the root, or its DN. */
  group: z.string().min(1).max(1024),
  anchorAttribute: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name')
    .default(DEFAULT_ANCHOR_ATTRIBUTE),
  /** With the anchor key, only a group whose anchor has a valid proof is the sync's. */
  anchorKey: z
    .string()
    .max(128)
    .refine((k) => parseAnchorKey(k) !== null, ANCHOR_KEY_PROBLEM)
    .optional(),
  whatIf: z.boolean().default(false),
});

const groupError = (id: ErrorId, message: string, target: string, exitCode: 2 | 5 = ExitCode.BadRequest) =>
  new EngineError(id, message, { category: exitCode === ExitCode.BadRequest ? 'InvalidArgument' : 'PermissionDenied', exitCode, target });

export const groupRemoveCommand = defineCommand({
  name: 'group-remove',
  description: 'Delete a group the sync manages and that left the scope (lists what it deletes; whatIf deletes nothing).',
  params: groupRemoveParamsSchema,
  async run(params, ctx) {
    const root = parseAdiDN(params.rootUserDN, 'root');
    if (!root.isValid || !root.ldapDN)
      throw badRequest('RootDN.Invalid', `The Root User DN '${params.rootUserDN}' is not valid: ${root.problems.join(' ')}`, params.rootUserDN);
    const rootDN = root.ldapDN;
    const session = await AdSession.open(params.dc);
    try {
      // Without -AnchorKey, the key kept in AD (never made here: with none yet, no anchor is proven).
      const explicit = params.anchorKey === undefined ? null : parseAnchorKey(params.anchorKey);
      const { key } = await resolveAnchorKey(session, null, { rootDN, anchorAttribute: params.anchorAttribute, explicit, create: false });
      const byDn = /^CN=/i.test(params.group) && params.group.includes(',');
      const filter = byDn
        ? '(objectClass=group)'
        : `(&(objectClass=group)(|(cn=${escapeFilterValue(params.group)})(sAMAccountName=${escapeFilterValue(params.group)})))`;
      const attributes = ['cn', 'member', 'adminCount', 'isCriticalSystemObject', 'objectSid', 'objectGUID', params.anchorAttribute];
      const found = await session
        .search(byDn ? params.group : rootDN, { scope: byDn ? 'base' : 'sub', filter, attributes }, 'find the group')
        .catch((err: unknown) => {
          if (err instanceof EngineError && err.details.ldapCode === 32) return [];
          throw err;
        });
      if (found.length === 0) throw groupError('Group.NotFound', `No group '${params.group}' under ${rootDN}.`, params.group);
      if (found.length > 1)
        throw groupError(
          'Group.NotFound',
          `More than one group under ${rootDN} is named '${params.group}': ${found.map((e) => e.dn).join('; ')}. Name it by its distinguished name.`,
          params.group,
        );
      const entry = found[0] as (typeof found)[number];
      if (!isUnderDn(entry.dn, rootDN))
        throw groupError('Group.NotManaged', `${entry.dn} is not under the root container ${rootDN}: the sync does not manage it.`, entry.dn);
      const anchor = decodeAnchor(textAttribute(entry, params.anchorAttribute));
      if (isProtectedEntry(entry)) {
        throw groupError(
          'Group.Protected',
          `${entry.dn} is protected (adminCount=1, a critical system object or a well-known group): never deleted by JumpCloudADI.`,
          entry.dn,
          ExitCode.Refused,
        );
      }
      if (!anchor || anchor === 'foreign')
        throw groupError(
          'Group.NotManaged',
          `${entry.dn} carries no JumpCloud anchor: the sync does not manage it, so this command does not delete it.`,
          entry.dn,
        );
      if (!proofFitsEntry(key, entry, anchor.jcId, anchor.proof)) {
        throw groupError(
          'Group.NotManaged',
          `${entry.dn} carries a JumpCloud anchor without a valid proof: the sync did not create or adopt it (docs/anchor-trust.md).`,
          entry.dn,
        );
      }
      if (!anchor.unbound) {
        throw groupError(
          'Group.StillBound',
          `${entry.dn} is still bound to the ADI domain (JumpCloud group ${anchor.jcId}): deleted now, the next sync would create a new group with a new SID. Unbind it in JumpCloud and sync first.`,
          entry.dn,
          ExitCode.Refused,
        );
      }
      const sidBytes = binaryAttribute(entry, 'objectSid');
      const sid = sidBytes ? sidFromBytes(sidBytes) : '';
      const members = await membersOf(session, entry);
      const record = {
        Group: textAttribute(entry, 'cn'),
        DistinguishedName: entry.dn,
        ObjectSid: sid,
        JumpCloudId: anchor.jcId,
        MemberCount: members.length,
        Members: members,
        Action: params.whatIf ? 'WouldRemove' : 'Removed',
      };
      if (params.whatIf) {
        ctx.reporter.log(
          'info',
          `What if: would delete the group ${entry.dn} (SID ${sid}) and its ${members.length} membership(s); ACLs that name the SID would be orphaned.`,
        );
      } else {
        await new AdWriter(session, params.anchorAttribute).deleteGroup(entry.dn);
      }
      ctx.reporter.record('JumpCloudADI.SyncGroupRemoval', record);
      return { exitCode: ExitCode.Ok, summary: { removed: params.whatIf ? 0 : 1, whatIf: params.whatIf } };
    } finally {
      await session.close();
    }
  },
});
