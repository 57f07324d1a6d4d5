// The only code that writes AD. Each method is one logical change; every LDAP failure leaves as
// an EngineError that keeps the result code and AD's extended code (see ./errors).
import { randomInt } from 'node:crypto';
import { Attribute, Change, Control, type Client } from 'ldapts';
import type { Anchor, UserAttributes } from './model';
import { anchorProof, guidText, pendingAnchorProof } from './anchorproof';
import { encodeAnchor } from './names';
import { EngineError } from '../errors';
import { mapLdapError } from './errors';
import { SdFlagsControl } from './security';
import { type AdSession } from './session';
import { binaryAttribute } from './entry';
import { UAC_ACCOUNTDISABLE, UAC_DONT_EXPIRE_PASSWD, UAC_NORMAL_ACCOUNT, uacOf } from './uac';

/** Global security group (docs/ad-writes.md). */
export const GROUP_TYPE_GLOBAL_SECURITY = '-2147483646';
/** Global distribution group: the safety ledger carries no security meaning. */
const GROUP_TYPE_GLOBAL_DISTRIBUTION = '2';
/** The ledger's anchor-attribute value: not a JumpCloud anchor, so the planner leaves the object alone. */
const LEDGER_MARK = 'JumpCloudSyncLedger';
/** The anchor key object's anchor-attribute value: not a JumpCloud anchor either. */
const KEY_MARK = 'JumpCloudSyncAnchorKey';
const MEMBER_BATCH = 500;

/** unicodePwd wants the password in double quotes, UTF-16LE (docs/ad-writes.md). */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** A 24-character password with every character class AD complexity asks for. Never logged. */
export function randomPassword(length = 24): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-.:=?@_~'];
  const all = classes.join('');
  const chars = classes.map((set) => set[randomInt(set.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** Adding a member already there (68) or removing one already gone (53) leaves the group as wanted. */
function alreadyConverged(err: unknown, operation: 'add' | 'delete'): boolean {
  const code = err instanceof EngineError ? err.details.ldapCode : undefined;
  return operation === 'add' ? code === 68 : code === 53;
}

const replace = (type: string, values: string[] | Buffer[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

type AnchorFlags = Omit<Anchor, 'jcId' | 'proof' | 'offboarded'> & { offboarded?: boolean };

export class AdWriter {
  /**
   * `anchorKey`: every anchor written carries its proof (./anchorproof.ts), made from the
   * object's objectGUID; without a key anchors are written without one.
   */
  constructor(
    private readonly session: AdSession,
    readonly anchorAttribute: string,
    private readonly anchorKey: Buffer | null = null,
  ) {}

  /** objectGUID of `dn` as text ('' when the DC returns none). */
  private async objectGuid(dn: string): Promise<string> {
    const [entry] = await this.session.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectGUID'] }, 'read objectGUID');
    return guidText(binaryAttribute(entry, 'objectGUID'));
  }

  /** The anchor value for `jcId` with these flags, proven for the object when there is a key. */
  private async anchorValue(dn: string, jcId: string, flags: AnchorFlags, objectGuid?: string): Promise<string> {
    if (!this.anchorKey) return encodeAnchor({ jcId, ...flags });
    const guid = objectGuid ?? (await this.objectGuid(dn));
    if (guid === '')
      throw new EngineError('AD.OperationFailed', `The domain controller returned no objectGUID for ${dn}: its anchor cannot be proven.`, { target: dn });
    return encodeAnchor({ jcId, ...flags, proof: anchorProof(this.anchorKey, guid, jcId) });
  }

  /** The anchor an add writes: its proof bound to the DN until the objectGUID is known (./anchorproof.ts). */
  private pendingAnchor(dn: string, jcId: string, flags: AnchorFlags): string {
    return encodeAnchor({ jcId, ...flags, ...(this.anchorKey ? { proof: pendingAnchorProof(this.anchorKey, dn, jcId) } : {}) });
  }

  private get ldap(): Client {
    return this.session.ldapClient;
  }

  private async run<T>(operation: string, target: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      throw mapLdapError(err, { host: this.session.dc.host, port: this.session.port, operation, target });
    }
  }

  /** Create disabled → set password → enable (Windows refuses unicodePwd on add; docs/ad-writes.md). */
  async createUser(dn: string, jcId: string, attributes: UserAttributes, password: string, enabled: boolean): Promise<void> {
    const entry: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      userAccountControl: [String(UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)],
      [this.anchorAttribute]: [this.pendingAnchor(dn, jcId, { syncDisabled: true })],
    };
    for (const [name, value] of Object.entries(attributes)) if (value !== '') entry[name] = [value];
    await this.run('create user', dn, () => this.ldap.add(dn, entry));
    // The proof needs the objectGUID the DC just chose: written right after the add.
    const guid = this.anchorKey ? await this.run('read objectGUID', dn, () => this.objectGuid(dn)) : '';
    if (this.anchorKey) {
      const value = await this.anchorValue(dn, jcId, { syncDisabled: true }, guid);
      await this.run('prove anchor', dn, () => this.ldap.modify(dn, [replace(this.anchorAttribute, [value])]));
    }
    await this.setPassword(dn, password);
    if (enabled) {
      // We wrote userAccountControl ourselves a moment ago: no need to read it back.
      const value = await this.anchorValue(dn, jcId, { syncDisabled: false }, guid || undefined);
      await this.run('enable', dn, () =>
        this.ldap.modify(dn, [replace('userAccountControl', [String(UAC_NORMAL_ACCOUNT)]), replace(this.anchorAttribute, [value])]),
      );
    }
  }

  async setPassword(dn: string, password: string): Promise<void> {
    await this.run('set password', dn, () => this.ldap.modify(dn, [replace('unicodePwd', [unicodePwd(password)])]));
  }

  async updateAttributes(dn: string, values: Record<string, string>, adoptJcId?: string): Promise<void> {
    const changes = Object.entries(values).map(([name, value]) =>
      value === '' ? new Change({ operation: 'replace', modification: new Attribute({ type: name, values: [] }) }) : replace(name, [value]),
    );
    if (adoptJcId)
      changes.push(replace(this.anchorAttribute, [await this.run('read objectGUID', dn, () => this.anchorValue(dn, adoptJcId, { syncDisabled: false }))]));
    if (changes.length > 0) await this.run('update', dn, () => this.ldap.modify(dn, changes));
  }

  /** modifyDN within the same parent or to a new one; AD keeps the object (GUID, SID, memberships). */
  async rename(dn: string, newDn: string): Promise<void> {
    await this.run('rename', dn, () => this.ldap.modifyDN(dn, newDn));
  }

  /** Flips ACCOUNTDISABLE, keeping the other userAccountControl bits, and records whether the sync did it. */
  async setEnabled(dn: string, jcId: string, enabled: boolean): Promise<void> {
    const [entry] = await this.session.search(
      dn,
      { scope: 'base', filter: '(objectClass=user)', attributes: ['userAccountControl', 'objectGUID'] },
      'read userAccountControl',
    );
    const current = uacOf(entry, UAC_NORMAL_ACCOUNT);
    const next = enabled ? current & ~UAC_ACCOUNTDISABLE : current | UAC_ACCOUNTDISABLE;
    const objectGuid = binaryAttribute(entry, 'objectGUID');
    const guid = objectGuid ? guidText(objectGuid) : undefined;
    const anchor = await this.anchorValue(dn, jcId, { syncDisabled: !enabled }, guid);
    await this.run(enabled ? 'enable' : 'disable', dn, () =>
      this.ldap.modify(dn, [replace('userAccountControl', [String(next)]), replace(this.anchorAttribute, [anchor])]),
    );
  }

  /**
   * Sets or clears the offboarded mark in the anchor, as a compare-and-swap in one modify (delete
   * the value read, add the new one): if the anchor changed since it was read (the sync disabled
   * or enabled the account meanwhile), AD refuses the whole change (16, noSuchAttribute) and
   * nothing is written.
   */
  async setOffboarded(dn: string, current: Anchor, offboarded: boolean): Promise<void> {
    await this.run(offboarded ? 'mark offboarded' : 'clear the offboarded mark', dn, () =>
      this.ldap.modify(dn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: this.anchorAttribute, values: [encodeAnchor(current)] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: this.anchorAttribute, values: [encodeAnchor({ ...current, offboarded })] }) }),
      ]),
    );
  }

  async createGroup(dn: string, jcId: string, name: string, description: string): Promise<void> {
    const entry: Record<string, string[]> = {
      objectClass: ['top', 'group'],
      cn: [name],
      sAMAccountName: [name],
      groupType: [GROUP_TYPE_GLOBAL_SECURITY],
      [this.anchorAttribute]: [this.pendingAnchor(dn, jcId, { syncDisabled: false })],
    };
    if (description !== '') entry.description = [description];
    await this.run('create group', dn, () => this.ldap.add(dn, entry));
    if (this.anchorKey) {
      const value = await this.run('read objectGUID', dn, () => this.anchorValue(dn, jcId, { syncDisabled: false }));
      await this.run('prove anchor', dn, () => this.ldap.modify(dn, [replace(this.anchorAttribute, [value])]));
    }
  }

  /** Marks a group that left the scope (;unbound) or clears the mark when it is bound again. */
  async setGroupUnbound(dn: string, jcId: string, unbound: boolean): Promise<void> {
    const value = await this.run('read objectGUID', dn, () => this.anchorValue(dn, jcId, { syncDisabled: false, unbound }));
    await this.run(unbound ? 'mark unbound' : 'mark bound again', dn, () => this.ldap.modify(dn, [replace(this.anchorAttribute, [value])]));
  }

  /**
   * Creates the safety ledger (sync/safety-limit.ts): a distribution group (no security meaning)
   * whose `info` holds the ledger and whose anchor attribute holds a value that is not a
   * JumpCloud anchor, so the sync never manages or adopts it. false when it exists already.
   */
  async createLedger(dn: string, name: string, accountName: string, value: string): Promise<boolean> {
    const entry = {
      objectClass: ['top', 'group'],
      cn: [name],
      sAMAccountName: [accountName],
      groupType: [GROUP_TYPE_GLOBAL_DISTRIBUTION],
      [this.anchorAttribute]: [LEDGER_MARK],
      info: [value],
      description: ['JumpCloud sync safety ledger: what the sync changed in the last hours. Do not edit.'],
    };
    try {
      await this.run('create the safety ledger', dn, () => this.ldap.add(dn, entry));
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.details.ldapCode === 68) return false;
      throw err;
    }
  }

  /**
   * Creates the anchor key object (./anchorkey.ts): a distribution group like the ledger, its
   * `info` the key, its security descriptor given at the add (protected DACL: the key is never
   * readable by anyone but the sync's account and the administrators, not even for a moment).
   * false when it exists already.
   */
  async createAnchorKey(dn: string, name: string, accountName: string, key: string, descriptor: Buffer): Promise<boolean> {
    const entry = [
      new Attribute({ type: 'objectClass', values: ['top', 'group'] }),
      new Attribute({ type: 'cn', values: [name] }),
      new Attribute({ type: 'sAMAccountName', values: [accountName] }),
      new Attribute({ type: 'groupType', values: [GROUP_TYPE_GLOBAL_DISTRIBUTION] }),
      new Attribute({ type: this.anchorAttribute, values: [KEY_MARK] }),
      new Attribute({ type: 'info', values: [key] }),
      new Attribute({ type: 'description', values: ['JumpCloud sync anchor key: proves the anchors the sync wrote. Do not edit, move or delete.'] }),
      new Attribute({ type: 'nTSecurityDescriptor', values: [descriptor] }),
    ];
    try {
      await this.run('create the anchor key', dn, () => this.ldap.add(dn, entry));
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.details.ldapCode === 68) return false;
      throw err;
    }
  }

  /** Replaces the ledger value compare-and-swap (delete the value read, add the new one); false when it changed meanwhile. */
  async replaceLedger(dn: string, expected: string, value: string): Promise<boolean> {
    try {
      await this.run('update the safety ledger', dn, () =>
        this.ldap.modify(dn, [
          new Change({ operation: 'delete', modification: new Attribute({ type: 'info', values: [expected] }) }),
          new Change({ operation: 'add', modification: new Attribute({ type: 'info', values: [value] }) }),
        ]),
      );
      return true;
    } catch (err) {
      if (err instanceof EngineError && (err.details.ldapCode === 16 || err.details.ldapCode === 20)) return false;
      throw err;
    }
  }

  async deleteGroup(dn: string): Promise<void> {
    await this.run('delete group', dn, () => this.ldap.del(dn));
  }

  /**
   * Adds or removes members in batches. A batch AD refuses (one member already there, or gone)
   * is retried one by one, so one bad member costs only itself. Returns per-member failures.
   */
  async changeMembers(groupDn: string, memberDns: string[], operation: 'add' | 'delete'): Promise<Map<string, Error>> {
    const failures = new Map<string, Error>();
    const label = operation === 'add' ? 'add members' : 'remove members';
    const send = (dns: string[]) =>
      this.run(label, groupDn, () => this.ldap.modify(groupDn, [new Change({ operation, modification: new Attribute({ type: 'member', values: dns }) })]));
    for (let i = 0; i < memberDns.length; i += MEMBER_BATCH) {
      const batch = memberDns.slice(i, i + MEMBER_BATCH);
      try {
        await send(batch);
      } catch (batchError) {
        if (batch.length === 1) {
          if (!alreadyConverged(batchError, operation)) failures.set(batch[0] as string, batchError as Error);
          continue;
        }
        for (const dn of batch) {
          try {
            await send([dn]);
          } catch (err) {
            if (!alreadyConverged(err, operation)) failures.set(dn, err as Error);
          }
        }
      }
    }
    return failures;
  }

  /**
   * Replaces the parts of `dn`'s nTSecurityDescriptor that `flags` names (SD_FLAGS control, e.g.
   * 4 = DACL only): the DC keeps the other parts and recomputes the inherited ACEs.
   */
  async setSecurityDescriptor(dn: string, descriptor: Buffer, flags: number): Promise<void> {
    await this.run('write permissions', dn, () => this.ldap.modify(dn, [replace('nTSecurityDescriptor', [descriptor])], [new SdFlagsControl(flags)]));
  }

  /**
   * Creates a service account: disabled → password → enabled with DONT_EXPIRE_PASSWD (docs/ad-writes.md:
   * never together with pwdLastSet=0). If any step fails the half-made account is removed again,
   * so a refused password leaves nothing behind.
   */
  async createServiceAccount(dn: string, attributes: Record<string, string>, password: string): Promise<void> {
    const entry: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      userAccountControl: [String(UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)],
    };
    for (const [name, value] of Object.entries(attributes)) if (value !== '') entry[name] = [value];
    await this.run('create service account', dn, () => this.ldap.add(dn, entry));
    try {
      await this.setPassword(dn, password);
      await this.run('enable service account', dn, () =>
        this.ldap.modify(dn, [replace('userAccountControl', [String(UAC_NORMAL_ACCOUNT | UAC_DONT_EXPIRE_PASSWD)])]),
      );
    } catch (err) {
      await this.ldap.del(dn).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * The writes of a rehearsal (Invoke-JCSyncRehearsal) that are not sync operations: its scratch OU,
 * a plain account that holds a name elsewhere, an account disabled the way an admin disables it
 * (the anchor left as it is), and removing the scratch tree again. Kept here so that this file
 * stays the one place that writes AD.
 */
/** LDAP_SERVER_TREE_DELETE_OID: delete an object with everything under it. */
const TREE_DELETE_OID = '1.2.840.113556.1.4.805';

export class RehearsalWriter {
  constructor(private readonly session: AdSession) {}

  private async run<T>(operation: string, target: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      throw mapLdapError(err, { host: this.session.dc.host, port: this.session.port, operation, target });
    }
  }

  async createOrganizationalUnit(dn: string, description: string): Promise<void> {
    await this.run('create OU', dn, () => this.session.ldapClient.add(dn, { objectClass: ['top', 'organizationalUnit'], description: [description] }));
  }

  /** A disabled account without an anchor: it only holds its logon name. */
  async createPlainUser(dn: string, sAMAccountName: string): Promise<void> {
    await this.run('create user', dn, () =>
      this.session.ldapClient.add(dn, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: [sAMAccountName],
        userAccountControl: [String(UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)],
      }),
    );
  }

  /** Sets ACCOUNTDISABLE as an admin would in Active Directory Users and Computers. */
  async disableAsAdmin(dn: string): Promise<void> {
    const [entry] = await this.session.search(
      dn,
      { scope: 'base', filter: '(objectClass=user)', attributes: ['userAccountControl'] },
      'read userAccountControl',
    );
    const current = uacOf(entry, UAC_NORMAL_ACCOUNT);
    await this.run('disable', dn, () => this.session.ldapClient.modify(dn, [replace('userAccountControl', [String(current | UAC_ACCOUNTDISABLE)])]));
  }

  /**
   * Deletes `dn` and everything under it: in one request with the tree delete control where the
   * DC offers it, else (or when that fails) one object at a time, deepest first. Returns the DNs
   * that could not be deleted.
   */
  async deleteTree(dn: string): Promise<string[]> {
    if ((await this.session.readObject(dn, ['objectClass'])) === null) return [];
    try {
      await this.session.ldapClient.del(dn, [new Control(TREE_DELETE_OID, { critical: true })]);
      if ((await this.session.readObject(dn, ['objectClass'])) === null) return [];
    } catch {
      // No tree delete here (or not for this account): delete one by one below.
    }
    const entries = await this.session.search(dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['objectClass'] }, 'list the scratch tree');
    const depth = (d: string) => d.split(/(?<!\\),/).length;
    const left: string[] = [];
    for (const entry of entries.sort((a, b) => depth(b.dn) - depth(a.dn))) {
      try {
        await this.run('delete', entry.dn, () => this.session.ldapClient.del(entry.dn));
      } catch {
        left.push(entry.dn);
      }
    }
    return left;
  }
}
