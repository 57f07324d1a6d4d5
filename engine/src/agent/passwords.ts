// Password events of the change feed: opened with the agent's private key, in memory only,
// written to the user's AD account (found by its anchor) through AdWriter.setPassword, and
// acknowledged: applied, or rejected with AD's reason and the domain's password policy. A
// rejected password is reported once and never retried; an AD outage leaves the event
// unacknowledged so it comes again after the outage.
import type { Entry } from 'ldapts';
import { escapeFilterValue } from '../ad/escape';
import { type AdSession } from '../ad/session';
import { textAttribute } from '../ad/entry';
import { isProtectedEntry } from '../ad/directory';
import { domainPolicyInWords, readDomainPolicy } from '../ad/passwordpolicy';
import { AdWriter } from '../ad/writer';
import { asEngineError, EngineError, ExitCode } from '../errors';
import { decryptPasswordEvent } from '../jumpcloud/agent-channel';
import type { AckRequest, ChangeEvent } from '../jumpcloud/agent-protocol';
import type { Journal } from '../sync/journal';
import { anchorFilterTerms, decodeAnchor, isUnderDn } from '../ad/names';
import { proofFitsEntry } from '../ad/anchorproof';
import { describePath, PrivilegeChecker } from '../ad/privilege';

interface ManagedAccount {
  dn: string;
  protected: boolean;
}

/**
 * The AD account the sync manages for a JumpCloud user (found by its anchor), or null. With an
 * anchor key only an anchor with a valid proof counts: a password never goes to an object that
 * merely carries a copied or planted anchor (sync/trust.ts). `hintDn`, where the agent last saw
 * the account (agent/reconcile.ts DnHints), is read first: one base read of a user account under
 * the root carrying this anchor, instead of the search by anchor, which AD does not index (a scan
 * of every account under the root). Anywhere else, or not there, the search decides.
 */
async function findByAnchor(
  session: AdSession,
  rootDN: string,
  anchorAttribute: string,
  jcId: string,
  anchorKey: Buffer | null = null,
  hintDn?: string,
): Promise<ManagedAccount | null> {
  const attributes = ['adminCount', 'isCriticalSystemObject', 'objectGUID', anchorAttribute];
  const ours = (entry: Entry) => {
    const anchor = decodeAnchor(textAttribute(entry, anchorAttribute));
    if (!anchor || anchor === 'foreign' || anchor.jcId !== jcId) return false;
    return anchorKey === null || proofFitsEntry(anchorKey, entry, jcId, anchor.proof);
  };
  const managed = (entry: Entry): ManagedAccount => ({
    dn: entry.dn,
    protected: isProtectedEntry(entry),
  });
  if (hintDn && isUnderDn(hintDn, rootDN)) {
    // The same filter as the search below, on the one object: a user account carrying this anchor.
    const [entry] = await session
      .search(hintDn, { scope: 'base', filter: `(&(objectCategory=person)(objectClass=user))`, attributes }, 'read the user at its last known DN')
      .catch((err: unknown) => {
        if (isTransient(err)) throw err;
        return []; // gone from there (moved, deleted): the search decides
      });
    if (entry && ours(entry)) return managed(entry);
  }
  const filter = `(&(objectCategory=person)(objectClass=user)${anchorFilterTerms(anchorAttribute, jcId, escapeFilterValue)})`;
  const entries = await session.search(rootDN, { scope: 'sub', filter, attributes, sizeLimit: 10 }, 'find the user by anchor');
  const found = entries.filter(ours);
  const entry = found[0];
  if (!entry || found.length > 1) return null;
  return managed(entry);
}

/** The domain's password policy in words, for a rejection reason. */
async function passwordPolicyText(session: AdSession): Promise<string> {
  try {
    const dse = await session.rootDse();
    return domainPolicyInWords(await readDomainPolicy(session, dse.defaultNamingContext));
  } catch {
    return '';
  }
}

/** An AD failure that says nothing about the password or the account: retry after the outage. */
export function isTransient(err: unknown): boolean {
  return err instanceof EngineError && err.exitCode === ExitCode.Unreachable;
}

export interface PasswordContext {
  session: AdSession;
  rootDN: string;
  anchorAttribute: string;
  /** With a key, only anchors with a valid proof count (ad/anchorproof.ts). */
  anchorKey?: Buffer | null;
  agentId: string;
  privateKeyPem: string;
  journal: Journal;
  /** Where the agent last saw each managed object (`user:<jcId>` → DN): the account is read there first. */
  hints?: ReadonlyMap<string, string>;
  /** More privileged groups besides the well-known ones (sync settings). */
  privilegedGroups?: readonly string[];
  /**
   * A staging agent: the would-be operations journaled already (agent state `staged`). Present:
   * the password is neither opened nor set; "would set the password" is journaled once per event
   * and the event is left unacknowledged (outcome `staged`), for the live agent.
   */
  staged?: Record<string, string>;
  /**
   * The rolling safety limit (sync/safety-limit.ts, kind `passwordChange`), asked once every
   * check passed and before the password is opened: true admits (and counts) this write; false
   * holds it: the password is neither opened nor written, and the event is left unacknowledged,
   * so JumpCloud keeps it sealed and delivers it again (outcome `held`).
   */
  admit?: (accountDn: string) => Promise<boolean>;
}

export interface PasswordResult {
  /**
   * `skipped`: the event carries no password for this agent (already handled, or never deliverable).
   * `held`: the safety limit holds it; not opened, not written, not acknowledged.
   */
  outcome: 'applied' | 'rejected' | 'skipped' | 'staged' | 'held';
  ack: AckRequest | null;
  target: string;
}

export async function applyPasswordEvent(event: ChangeEvent, ctx: PasswordContext): Promise<PasswordResult> {
  const userId = typeof event.data.userId === 'string' ? event.data.userId : '';
  const username = typeof event.data.username === 'string' ? event.data.username : userId;
  if (!event.password) return { outcome: 'skipped', ack: null, target: username };
  const reject = (reason: string, errorId: string, target = username): PasswordResult => {
    ctx.journal.write({ kind: 'setPassword', target, jcId: userId || null, outcome: 'failed', detail: reason, errorId });
    return { outcome: 'rejected', ack: { outcome: 'rejected', reason: reason.slice(0, 2000) }, target };
  };

  if (ctx.staged) return stagePassword(event, userId, username, ctx, ctx.staged);
  // Opened only once every check passed and the safety limit admitted it: a held password stays sealed.
  let password = '';
  try {
    const account = await findByAnchor(ctx.session, ctx.rootDN, ctx.anchorAttribute, userId, ctx.anchorKey ?? null, ctx.hints?.get(`user:${userId}`));
    if (!account) {
      return reject(
        `The JumpCloud user ${username} has no AD account managed by the sync under ${ctx.rootDN} (not bound to the domain, or skipped by the sync: see Get-JCSyncHistory).`,
        'Password.UserNotInAD',
      );
    }
    if (account.protected) {
      return reject(
        `The AD account ${account.dn} is protected (adminCount=1); privileged accounts are never managed from JumpCloud.`,
        'Password.Protected',
        account.dn,
      );
    }
    const privileged = await new PrivilegeChecker(ctx.session, ctx.privilegedGroups ?? []).check(account.dn);
    if (privileged) {
      return reject(
        `The AD account ${account.dn} is privileged (${describePath(privileged)}); privileged accounts are never managed from JumpCloud.`,
        'Password.Protected',
        account.dn,
      );
    }
    if (ctx.admit && !(await ctx.admit(account.dn))) return { outcome: 'held', ack: null, target: account.dn };
    try {
      password = decryptPasswordEvent(event, ctx.agentId, ctx.privateKeyPem);
    } catch (err) {
      return reject(asEngineError(err).message, asEngineError(err).id, account.dn);
    }
    try {
      await new AdWriter(ctx.session, ctx.anchorAttribute, ctx.anchorKey ?? null).setPassword(account.dn, password);
    } catch (err) {
      if (isTransient(err)) throw err;
      const e = asEngineError(err);
      const policy = e.id === 'AD.ConstraintViolation' ? await passwordPolicyText(ctx.session) : '';
      return reject(`AD refused the password of ${username}: ${e.message}${policy ? ` ${policy}` : ''}`, e.id, account.dn);
    }
    ctx.journal.write({ kind: 'setPassword', target: account.dn, jcId: userId, outcome: 'applied', detail: 'password changed in JumpCloud' });
    return { outcome: 'applied', ack: { outcome: 'applied' }, target: account.dn };
  } finally {
    // A JavaScript string cannot be wiped; drop the only reference at once.
    password = '';
  }
}

/** Staging: where the password would go, journaled once per event (no secret is opened). */
async function stagePassword(
  event: ChangeEvent,
  userId: string,
  username: string,
  ctx: PasswordContext,
  staged: Record<string, string>,
): Promise<PasswordResult> {
  const account = await findByAnchor(ctx.session, ctx.rootDN, ctx.anchorAttribute, userId, ctx.anchorKey ?? null, ctx.hints?.get(`user:${userId}`));
  const target = account?.dn ?? username;
  const key = `setPassword:${userId}`;
  if (staged[key] !== event.id) {
    staged[key] = event.id;
    const detail = account
      ? 'staging: password changed in JumpCloud: would set the password'
      : `staging: password changed in JumpCloud: would be rejected (no AD account managed by the sync under ${ctx.rootDN})`;
    ctx.journal.write({ kind: 'setPassword', target, jcId: userId || null, outcome: 'staged', detail });
  }
  return { outcome: 'staged', ack: null, target };
}
