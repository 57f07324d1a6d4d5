// Password policy alignment, host classification, password rotation order, AD intervals (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainPolicyInWords, intervalToDays, type AdPasswordPolicy } from '../../../engine/src/ad/passwordpolicy';
import { rotatePassword, type PasswordStore } from '../../../engine/src/delegation/rotation';
import { compareWithAd, jumpCloudRules, type AlignmentFinding } from '../../../engine/src/prerequisites/alignment';
import { classifyHost } from '../../../engine/src/prerequisites/host';

const domainPolicy: AdPasswordPolicy = {
  source: 'Domain policy',
  dn: 'DC=example,DC=com',
  minLength: 10,
  complexity: true,
  historyLength: 24,
  minAgeDays: 1,
  maxAgeDays: null,
  precedence: null,
  appliesTo: [],
};

const byRule = (findings: AlignmentFinding[]) => Object.fromEntries(findings.map((f) => [f.rule, f]));

describe('password policy alignment', () => {
  it('AD min 10 + complexity against JumpCloud 8 without symbols: both mismatches, with the settings to change', () => {
    const jc = jumpCloudRules({ minLength: 8, enableMinLength: true, needsLowercase: true, needsUppercase: false, needsNumeric: true, needsSymbolic: false });
    const rules = byRule(compareWithAd(jc, domainPolicy));
    assert.equal(rules.MinimumLength?.status, 'Mismatch');
    assert.match(rules.MinimumLength?.detail ?? '', /8 characters.*shorter than 10/);
    assert.match(rules.MinimumLength?.changeInJumpCloud ?? '', /10 or more/);
    assert.match(rules.MinimumLength?.changeInActiveDirectory ?? '', /minPwdLength.*to 8/);
    assert.equal(rules.Complexity?.status, 'Mismatch');
    assert.match(rules.Complexity?.detail ?? '', /only lowercase letters and numbers/);
    assert.match(rules.Complexity?.detail ?? '', /contains the username/);
    assert.match(rules.Complexity?.changeInJumpCloud ?? '', /1 more of: uppercase letters, symbols/);
    assert.match(rules.Complexity?.changeInActiveDirectory ?? '', /pwdProperties/);
  });

  it('three classes and no username: complexity only warns about display-name parts', () => {
    const jc = jumpCloudRules({
      minLength: 12,
      enableMinLength: true,
      needsLowercase: true,
      needsUppercase: true,
      needsNumeric: true,
      allowUsernameSubstring: false,
    });
    const rules = byRule(compareWithAd(jc, domainPolicy));
    assert.equal(rules.MinimumLength?.status, 'Aligned');
    assert.equal(rules.Complexity?.status, 'Warning');
    assert.match(rules.Complexity?.detail ?? '', /display name/);
  });

  it('a disabled JumpCloud minimum counts as no minimum', () => {
    const jc = jumpCloudRules({ minLength: 14, enableMinLength: false });
    assert.equal(jc.minLength, 0);
    assert.equal(byRule(compareWithAd(jc, { ...domainPolicy, minLength: 1 })).MinimumLength?.status, 'Mismatch');
    assert.equal(byRule(compareWithAd(jc, { ...domainPolicy, minLength: 0 })).MinimumLength?.status, 'Aligned');
  });

  it('complexity off in AD is aligned; history and minimum age never refuse an agent reset', () => {
    const jc = jumpCloudRules({ minLength: 8, enableMinLength: true });
    const rules = byRule(compareWithAd(jc, { ...domainPolicy, complexity: false, minLength: 7 }));
    assert.equal(rules.Complexity?.status, 'Aligned');
    assert.equal(rules.History?.status, 'Aligned');
    assert.equal(rules.MinimumAge?.status, 'Aligned');
    assert.deepEqual(
      compareWithAd(jc, { ...domainPolicy, complexity: false, minLength: 7 }).filter((f) => f.status === 'Mismatch'),
      [],
    );
  });

  it('warns when AD expires passwords before JumpCloud does', () => {
    const never = jumpCloudRules({});
    const ninety = jumpCloudRules({ passwordExpirationInDays: 90, enablePasswordExpirationInDays: true });
    const thirty = jumpCloudRules({ passwordExpirationInDays: 30, enablePasswordExpirationInDays: true });
    const ad = { ...domainPolicy, maxAgeDays: 42 };
    assert.equal(byRule(compareWithAd(never, ad)).MaximumAge?.status, 'Warning');
    assert.match(byRule(compareWithAd(ninety, ad)).MaximumAge?.changeInJumpCloud ?? '', /at most 42 days/);
    assert.equal(byRule(compareWithAd(thirty, ad)).MaximumAge?.status, 'Aligned');
    assert.equal(byRule(compareWithAd(never, domainPolicy)).MaximumAge?.status, 'Aligned');
  });

  it('names a PSO and its attribute instead of the domain policy', () => {
    const pso: AdPasswordPolicy = {
      ...domainPolicy,
      source: 'PSO Strict',
      dn: 'CN=Strict,CN=Password Settings Container,CN=System,DC=example,DC=com',
      precedence: 1,
      minLength: 16,
    };
    const rules = byRule(compareWithAd(jumpCloudRules({ minLength: 8, enableMinLength: true }), pso));
    assert.equal(rules.MinimumLength?.adPolicy, 'PSO Strict');
    assert.match(rules.MinimumLength?.changeInActiveDirectory ?? '', /msDS-MinimumPasswordLength on CN=Strict/);
    assert.match(rules.Complexity?.changeInActiveDirectory ?? '', /msDS-PasswordComplexityEnabled/);
  });
});

describe('AD intervals', () => {
  it('turns negative 100-ns intervals into days; 0 and the minimum mean never', () => {
    assert.equal(intervalToDays('-864000000000'), 1);
    assert.equal(intervalToDays('-36288000000000'), 42);
    assert.equal(intervalToDays('0'), null);
    assert.equal(intervalToDays('-9223372036854775808'), null);
    assert.equal(intervalToDays('not a number'), null);
  });
});

describe('the domain policy in words (the reason given when AD refuses a password)', () => {
  it('names each rule the policy sets, and nothing it does not', () => {
    assert.equal(
      domainPolicyInWords(domainPolicy),
      'Domain password policy: at least 10 characters; complexity required (three of upper case, lower case, digits, symbols; not the account name); not one of the last 24 passwords.',
    );
    assert.equal(domainPolicyInWords({ ...domainPolicy, complexity: false, historyLength: 0 }), 'Domain password policy: at least 10 characters.');
    assert.equal(domainPolicyInWords({ ...domainPolicy, minLength: 0, complexity: false, historyLength: 0 }), '');
  });
});

describe('host classification', () => {
  it('cannot judge a non-Windows machine', () => {
    assert.equal(classifyHost({ platform: 'linux', release: '6.1.0', version: '#1 SMP Debian', arch: 'x64' }).status, 'Warn');
  });

  it('passes the supported Windows Server builds', () => {
    for (const [release, name] of [
      ['6.2.9200', '2012'],
      ['6.3.9600', '2012 R2'],
      ['10.0.14393', '2016'],
      ['10.0.17763', '2019'],
      ['10.0.20348', '2022'],
    ]) {
      const verdict = classifyHost({ platform: 'win32', release: release as string, version: `Windows Server ${name} Datacenter`, arch: 'x64' });
      assert.equal(verdict.status, 'Pass', name);
    }
  });

  it('fails client Windows, 32-bit or ARM, and older servers; warns on newer ones', () => {
    assert.equal(classifyHost({ platform: 'win32', release: '10.0.19045', version: 'Windows 10 Pro', arch: 'x64' }).status, 'Fail');
    assert.equal(classifyHost({ platform: 'win32', release: '10.0.17763', version: 'Windows Server 2019 Standard', arch: 'arm64' }).status, 'Fail');
    assert.equal(classifyHost({ platform: 'win32', release: '6.1.7601', version: 'Windows Server 2008 R2 Standard', arch: 'x64' }).status, 'Fail');
    assert.equal(classifyHost({ platform: 'win32', release: '10.0.26100', version: 'Windows Server 2025 Standard', arch: 'x64' }).status, 'Warn');
  });
});

describe('password rotation', () => {
  function store(name: string, log: string[], fail?: 'stage' | 'commit'): PasswordStore {
    return {
      name,
      async stage() {
        log.push(`${name}.stage`);
        if (fail === 'stage') throw new Error(`${name} cannot stage`);
      },
      async commit() {
        log.push(`${name}.commit`);
      },
      async rollback() {
        log.push(`${name}.rollback`);
      },
    };
  }

  it('stages every store, sets AD, verifies, then commits', async () => {
    const log: string[] = [];
    const outcome = await rotatePassword('New-Pass-1', { setPasswordInAd: async () => void log.push('ad'), verifyBind: async () => void log.push('verify') }, [
      store('config', log),
      store('backup', log),
    ]);
    assert.deepEqual(log, ['config.stage', 'backup.stage', 'ad', 'verify', 'config.commit', 'backup.commit']);
    assert.deepEqual(outcome, { changedInAd: true, verified: true, committed: ['config', 'backup'] });
  });

  it('rolls the staged stores back when AD refuses the password', async () => {
    const log: string[] = [];
    await assert.rejects(
      rotatePassword('short', { setPasswordInAd: async () => Promise.reject(new Error('0000052D')) }, [store('config', log), store('backup', log)]),
      /0000052D/,
    );
    assert.deepEqual(log, ['config.stage', 'backup.stage', 'backup.rollback', 'config.rollback']);
  });

  it('never touches AD when a store cannot stage', async () => {
    const log: string[] = [];
    await assert.rejects(
      rotatePassword('x', { setPasswordInAd: async () => void log.push('ad') }, [store('config', log), store('broken', log, 'stage')]),
      /cannot stage/,
    );
    assert.deepEqual(log, ['config.stage', 'broken.stage', 'config.rollback']);
  });

  it('keeps the stores staged (old and new) when the new password does not bind', async () => {
    const log: string[] = [];
    await assert.rejects(
      rotatePassword('x', { setPasswordInAd: async () => void log.push('ad'), verifyBind: async () => Promise.reject(new Error('bind refused')) }, [
        store('config', log),
      ]),
      /bind refused/,
    );
    assert.deepEqual(log, ['config.stage', 'ad']);
  });

  it('works without stores (AD only) and without verification', async () => {
    const outcome = await rotatePassword('x', { setPasswordInAd: async () => undefined });
    assert.deepEqual(outcome, { changedInAd: true, verified: null, committed: [] });
  });
});
