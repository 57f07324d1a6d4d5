// Effective rights, the five tasks, the grant plan and the service-account rules (all pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAccountRules, privilegedGroupsOf, type AccountFacts } from '../../../engine/src/delegation/account';
import { assessTask, planGrant, withoutAces } from '../../../engine/src/delegation/assess';
import { checkAccess, effectiveAces, tokenOf } from '../../../engine/src/delegation/evaluate';
import { DS_FULL_CONTROL, GUID, RIGHT, describeRights } from '../../../engine/src/delegation/rights';
import { parseSecurityDescriptor, type Acl, type SecurityDescriptor } from '../../../engine/src/ad/sd';
import { aceFromSddl, aceToSddl } from '../../../engine/src/delegation/sddl';
import { DELEGATION_TASKS, taskAces, taskById } from '../../../engine/src/delegation/tasks';
import { sdFixture as fixture } from '../helpers/sdfixture';

const DOMAIN = 'S-1-5-21-3539100292-922284603-2239075526';
const ACCOUNT = `${DOMAIN}-4671`;
const GROUP = `${DOMAIN}-5000`;
const USERS = { kind: 'child', objectClass: GUID.userClass } as const;
const GROUPS = { kind: 'child', objectClass: GUID.groupClass } as const;
const CONTAINER = { kind: 'container' } as const;
const token = tokenOf(ACCOUNT, [`${DOMAIN}-513`, GROUP]);

function acl(...sddl: string[]): Acl {
  return { revision: 4, aces: sddl.map((s) => aceFromSddl(s, ACCOUNT)) };
}

function sdOf(dacl: Acl): SecurityDescriptor {
  return { revision: 1, control: 0x8004, owner: null, group: null, sacl: null, saclIsNull: false, dacl, daclIsNull: false };
}

function granted(dacl: Acl): SecurityDescriptor {
  return sdOf(planGrant(sdOf(dacl), ACCOUNT, DELEGATION_TASKS).dacl);
}

const missingTasks = (sd: SecurityDescriptor) => DELEGATION_TASKS.filter((t) => !assessTask(t, sd, token, ACCOUNT, 'EXAMPLE\\jcsync').granted).map((t) => t.id);

describe('which ACEs take effect where', () => {
  const dacl = acl(
    `(OA;CI;CCDC;${GUID.userClass};;S)`,
    `(OA;CIIO;GA;;${GUID.userClass};S)`,
    `(OA;CIIO;RPWP;${GUID.member};${GUID.groupClass};S)`,
    '(A;;RC;;;AU)',
    '(A;OI;RP;;;S)',
  );

  it('the container gets its ACEs that are not inherit-only', () => {
    assert.deepEqual(
      effectiveAces(dacl, CONTAINER).map(aceToSddl),
      [dacl.aces[0], dacl.aces[3], dacl.aces[4]].map((a) => aceToSddl(a as never)),
    );
  });

  it('a child gets container-inherit ACEs for its class only', () => {
    assert.deepEqual(
      effectiveAces(dacl, USERS).map(aceToSddl),
      [dacl.aces[0], dacl.aces[1]].map((a) => aceToSddl(a as never)),
    );
    assert.deepEqual(
      effectiveAces(dacl, GROUPS).map(aceToSddl),
      [dacl.aces[0], dacl.aces[2]].map((a) => aceToSddl(a as never)),
    );
  });
});

describe('checkAccess', () => {
  it('grants through the account, its groups, Everyone and Authenticated Users', () => {
    for (const trustee of ['S', GROUP, 'WD', 'AU']) {
      const decision = checkAccess(acl(`(OA;CIIO;RP;;${GUID.userClass};${trustee})`), false, token, USERS, { mask: RIGHT.ReadProperty, objectType: null });
      assert.equal(decision.missing, 0, trustee);
    }
    const stranger = checkAccess(acl(`(OA;CIIO;RP;;${GUID.userClass};${DOMAIN}-9999)`), false, token, USERS, { mask: RIGHT.ReadProperty, objectType: null });
    assert.equal(stranger.missing, RIGHT.ReadProperty);
  });

  it('a deny before the allow wins, and says which ACE denied', () => {
    const dacl = acl(`(OD;CIIO;CR;${GUID.resetPassword};${GUID.userClass};${GROUP})`, `(OA;CIIO;GA;;${GUID.userClass};S)`);
    const decision = checkAccess(dacl, false, token, USERS, { mask: RIGHT.ControlAccess, objectType: GUID.resetPassword });
    assert.equal(decision.granted, 0);
    assert.equal(decision.denied, RIGHT.ControlAccess);
    assert.equal(aceToSddl(decision.decidedBy[0] as never), `(OD;CIIO;CR;${GUID.resetPassword};${GUID.userClass};${GROUP})`);
  });

  it('an allow decided first is not undone by a later deny (canonical order: explicit before inherited)', () => {
    const dacl = acl(`(OA;CIIO;CR;${GUID.resetPassword};${GUID.userClass};S)`, `(OD;CIIOID;CR;${GUID.resetPassword};${GUID.userClass};WD)`);
    assert.equal(checkAccess(dacl, false, token, USERS, { mask: RIGHT.ControlAccess, objectType: GUID.resetPassword }).missing, 0);
  });

  it('an ACE on a property set covers its attributes; one on another attribute does not', () => {
    const viaSet = acl(`(OA;CIIO;WP;${GUID.userAccountRestrictions};${GUID.userClass};S)`);
    const other = acl(`(OA;CIIO;WP;${GUID.unicodePwd};${GUID.userClass};S)`);
    const request = { mask: RIGHT.WriteProperty, objectType: GUID.pwdLastSet, propertySet: GUID.userAccountRestrictions };
    assert.equal(checkAccess(viaSet, false, token, USERS, request).missing, 0);
    assert.equal(checkAccess(other, false, token, USERS, request).missing, RIGHT.WriteProperty);
  });

  it('reading one attribute is not reading all, but denying one denies "all"', () => {
    const one = acl(`(OA;CIIO;RP;${GUID.pwdLastSet};${GUID.userClass};S)`);
    assert.equal(checkAccess(one, false, token, USERS, { mask: RIGHT.ReadProperty, objectType: null }).missing, RIGHT.ReadProperty);
    const denyOne = acl(`(OD;CIIO;RP;${GUID.pwdLastSet};${GUID.userClass};S)`, `(OA;CIIO;RP;;${GUID.userClass};S)`);
    assert.equal(checkAccess(denyOne, false, token, USERS, { mask: RIGHT.ReadProperty, objectType: null }).denied, RIGHT.ReadProperty);
  });

  it('expands generic rights: a raw GENERIC_ALL bit is full control', () => {
    const dacl = acl(`(OA;CIIO;0x10000000;;${GUID.groupClass};S)`);
    assert.equal(checkAccess(dacl, false, token, GROUPS, { mask: DS_FULL_CONTROL, objectType: null }).missing, 0);
  });

  it('a NULL DACL grants everything; an empty DACL nothing', () => {
    const request = { mask: RIGHT.CreateChild, objectType: GUID.userClass };
    assert.equal(checkAccess(null, true, token, CONTAINER, request).missing, 0);
    assert.equal(checkAccess({ revision: 4, aces: [] }, false, token, CONTAINER, request).missing, RIGHT.CreateChild);
  });

  it('describes missing rights by name', () => {
    assert.equal(describeRights(RIGHT.WriteDac | RIGHT.WriteOwner), 'Modify permissions (WD), Modify owner (WO)');
    assert.equal(describeRights(DS_FULL_CONTROL), 'Full control (GA): every right');
  });
});

describe('the five tasks on a real Samba DACL', () => {
  const sambaGranted = parseSecurityDescriptor(fixture('ou-dacl-granted.hex'));

  it('are all granted after the grant', () => {
    assert.deepEqual(missingTasks(sambaGranted), []);
  });

  it('are all missing for another account on the same container', () => {
    const other = tokenOf(`${DOMAIN}-7777`, [`${DOMAIN}-513`]);
    assert.deepEqual(
      DELEGATION_TASKS.filter((t) => assessTask(t, sambaGranted, other, `${DOMAIN}-7777`, 'EXAMPLE\\x').granted).map((t) => t.id),
      [],
    );
  });

  it('are all missing on a container without the grant, each naming its rights and remedy', () => {
    const bare = sdOf(
      withoutAces(
        sambaGranted.dacl as Acl,
        DELEGATION_TASKS.flatMap((t) => taskAces(t, ACCOUNT)),
      ),
    );
    assert.equal((bare.dacl as Acl).aces.length, 29);
    for (const task of DELEGATION_TASKS) {
      const result = assessTask(task, bare, token, ACCOUNT, 'EXAMPLE\\jcsync');
      assert.equal(result.granted, false, task.id);
      assert.equal(result.missing.length, task.requirements.length);
      assert.deepEqual(
        result.wizardAcesPresent,
        task.aces.map(() => false),
      );
      for (const m of result.missing) assert.match(m.dsacls, /^\/I:[TS] \/G "EXAMPLE\\jcsync:/);
    }
    const reset = assessTask(taskById('ResetPasswords'), bare, token, ACCOUNT, 'EXAMPLE\\jcsync');
    assert.match(reset.missing[0]?.description ?? '', /Reset Password/);
    assert.equal(reset.missing[0]?.ace, `(OA;CIIO;CR;${GUID.resetPassword};${GUID.userClass};${ACCOUNT})`);
    assert.equal(reset.missing[0]?.dsacls, '/I:S /G "EXAMPLE\\jcsync:CA;Reset Password;user"');
  });
});

describe('removing one wizard ACE', () => {
  const full = granted({ revision: 4, aces: [] });
  const narrowTasks = ['ResetPasswords', 'ReadUserInformation', 'ModifyGroupMembership'] as const;
  const narrow = sdOf(planGrant(sdOf({ revision: 4, aces: [] }), ACCOUNT, narrowTasks.map(taskById)).dacl);

  for (const task of DELEGATION_TASKS) {
    task.aces.forEach((_, index) => {
      const ace = taskAces(task, ACCOUNT)[index];
      const subsumed = task.id !== 'CreateDeleteManageUsers' && task.id !== 'CreateDeleteManageGroups';
      it(`${task.id} ACE ${index + 1}: ${subsumed ? 'still granted through full control when all tasks are granted' : 'fails exactly that task'}`, () => {
        const sd = sdOf(withoutAces(full.dacl as Acl, [ace as never]));
        if (!subsumed) {
          assert.deepEqual(missingTasks(sd), [task.id]);
          return;
        }
        assert.deepEqual(missingTasks(sd), []);
        const result = assessTask(task, sd, token, ACCOUNT, 'EXAMPLE\\jcsync');
        assert.equal(result.wizardAcesPresent.filter(Boolean).length, task.aces.length - 1);
        assert.ok(result.grantedThrough.some((s) => s.startsWith('(OA;CIIO;GA;')));
      });
    });
  }

  for (const id of narrowTasks) {
    const task = taskById(id);
    task.aces.forEach((_, index) => {
      it(`${id} ACE ${index + 1}, without the full-control grants: fails exactly that task`, () => {
        const sd = sdOf(withoutAces(narrow.dacl as Acl, [taskAces(task, ACCOUNT)[index] as never]));
        const missing = missingTasks(sd);
        assert.ok(missing.includes(id));
        assert.deepEqual(
          missing.filter((m) => (narrowTasks as readonly string[]).includes(m)),
          [id],
        );
      });
    });
  }

  it('names the exact right when only write of pwdLastSet is gone', () => {
    const readOnly = acl(`(OA;CIIO;CR;${GUID.resetPassword};${GUID.userClass};S)`, `(OA;CIIO;RP;${GUID.pwdLastSet};${GUID.userClass};S)`);
    const result = assessTask(taskById('ResetPasswords'), sdOf(readOnly), token, ACCOUNT, 'EXAMPLE\\jcsync');
    assert.equal(result.missing.length, 1);
    assert.match(result.missing[0]?.description ?? '', /Write pwdLastSet/);
    assert.equal(result.missing[0]?.rights, 'Write property (WP)');
  });
});

describe('the grant plan', () => {
  const inherited = aceFromSddl('(A;CIID;LC;;;S-1-5-32-554)');
  const explicit = aceFromSddl('(A;;RC;;;AU)');
  const base = sdOf({ revision: 2, aces: [explicit, inherited] });

  it('adds the 8 wizard ACEs after the explicit ones and before the inherited ones', () => {
    const plan = planGrant(base, ACCOUNT, DELEGATION_TASKS);
    assert.equal(plan.toAdd.length, 8);
    assert.equal(plan.present.length, 0);
    assert.equal(plan.dacl.revision, 4);
    assert.equal(aceToSddl(plan.dacl.aces[0] as never), aceToSddl(explicit));
    assert.equal(aceToSddl(plan.dacl.aces[9] as never), aceToSddl(inherited));
    assert.deepEqual(
      plan.toAdd.map((a) => a.task.id),
      [
        'CreateDeleteManageUsers',
        'CreateDeleteManageUsers',
        'ResetPasswords',
        'ResetPasswords',
        'ReadUserInformation',
        'CreateDeleteManageGroups',
        'CreateDeleteManageGroups',
        'ModifyGroupMembership',
      ],
    );
  });

  it('is idempotent: a second plan adds nothing', () => {
    const once = sdOf(planGrant(base, ACCOUNT, DELEGATION_TASKS).dacl);
    const twice = planGrant(once, ACCOUNT, DELEGATION_TASKS);
    assert.equal(twice.toAdd.length, 0);
    assert.equal(twice.present.length, 8);
    assert.equal(twice.dacl.aces.length, (once.dacl as Acl).aces.length);
  });

  it('adds back exactly the one ACE that was removed', () => {
    const once = planGrant(base, ACCOUNT, DELEGATION_TASKS).dacl;
    const reset = taskAces(taskById('ResetPasswords'), ACCOUNT)[0];
    const plan = planGrant(sdOf(withoutAces(once, [reset as never])), ACCOUNT, DELEGATION_TASKS);
    assert.deepEqual(
      plan.toAdd.map((a) => aceToSddl(a.ace)),
      [aceToSddl(reset as never)],
    );
  });

  it('does not count an inherited copy or a broader ACE as present', () => {
    const inheritedCopy = { ...(taskAces(taskById('ReadUserInformation'), ACCOUNT)[0] as never as ReturnType<typeof aceFromSddl>) };
    inheritedCopy.flags |= 0x10;
    const broader = aceFromSddl(`(OA;CIIO;GA;;${GUID.userClass};S)`, ACCOUNT);
    const plan = planGrant(sdOf({ revision: 4, aces: [inheritedCopy, broader] }), ACCOUNT, [taskById('ReadUserInformation')]);
    assert.equal(plan.toAdd.length, 1);
  });

  it('grants only the tasks asked for, storing GA expanded as AD does', () => {
    const plan = planGrant(base, ACCOUNT, [taskById('CreateDeleteManageGroups')]);
    assert.equal(plan.toAdd.length, 2);
    assert.equal(plan.toAdd[1]?.ace.mask, DS_FULL_CONTROL);
  });
});

describe('service account rules', () => {
  const facts: AccountFacts = {
    dn: 'CN=JumpCloud Sync,CN=Users,DC=example,DC=com',
    samAccountName: 'jcsync',
    userAccountControl: 0x200 | 0x10000,
    adminCount: 0,
    groupSids: [`${DOMAIN}-513`],
    jumpCloudGroups: [{ dn: 'CN=JumpCloud,CN=Users,DC=example,DC=com', sid: `${DOMAIN}-1200` }],
  };
  const status = (f: AccountFacts) => Object.fromEntries(checkAccountRules(f).map((r) => [r.id, r.status]));

  it('passes a standard account with a non-expiring password', () => {
    assert.deepEqual(status(facts), {
      NotPrivileged: 'Pass',
      NotProtected: 'Pass',
      LogonName: 'Pass',
      NotInJumpCloudGroup: 'Pass',
      PasswordNeverExpires: 'Pass',
      Enabled: 'Pass',
    });
  });

  it('fails each broken rule with a remedy', () => {
    const bad = checkAccountRules({
      ...facts,
      samAccountName: 'JumpCloud',
      userAccountControl: 0x202,
      adminCount: 1,
      groupSids: [`${DOMAIN}-512`, 'S-1-5-32-551', `${DOMAIN}-1200`],
    });
    const byId = Object.fromEntries(bad.map((r) => [r.id, r]));
    assert.equal(byId.NotPrivileged?.status, 'Fail');
    assert.match(byId.NotPrivileged?.detail ?? '', /Backup Operators, Domain Admins/);
    assert.equal(byId.NotProtected?.status, 'Fail');
    assert.equal(byId.LogonName?.status, 'Fail');
    assert.equal(byId.NotInJumpCloudGroup?.status, 'Fail');
    assert.match(byId.NotInJumpCloudGroup?.remedy ?? '', /CN=JumpCloud,CN=Users/);
    assert.equal(byId.PasswordNeverExpires?.status, 'Fail');
    assert.equal(byId.Enabled?.status, 'Warn');
    for (const rule of bad) if (rule.status !== 'Pass') assert.ok(rule.remedy, rule.id);
  });

  it('knows the protected groups by SID', () => {
    assert.deepEqual(privilegedGroupsOf(['S-1-5-32-544', `${DOMAIN}-519`, `${DOMAIN}-518`, 'S-1-5-32-545', `${DOMAIN}-513`]), [
      'Administrators',
      'Enterprise Admins',
      'Schema Admins',
    ]);
  });
});
