// The agent's config: secrets at rest (key file + AES-256-GCM on Linux, DPAPI through
// powershell.exe's STDIN on Windows), the schema, and the wizard's offline checks.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineError } from '../../../engine/src/errors';
import {
  agentConfigSchema,
  agentPaths,
  checkAgentSettings,
  defaultInstallPath,
  ldapSettingsSchema,
  openAgentSecrets,
  readAgentConfig,
  SECRET_PURPOSE,
  writeAgentConfig,
  type AgentConfig,
} from '../../../engine/src/agent/config';
import { DPAPI_ARGS, DpapiProtector, KeyFileProtector, platformProtector, type StdinRunner } from '../../../engine/src/config/protect';

const made: string[] = [];
const work = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-agent-config-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const ldap = ldapSettingsSchema.parse({});

async function rejectsWith(promise: Promise<unknown>, id: string): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.id, id, err.message);
    return err;
  }
  assert.fail(`expected ${id}`);
}

describe('KeyFileProtector (Linux: key file 0600 + AES-256-GCM)', () => {
  it('creates a 0600 key file and round-trips a secret that never appears in the blob', async () => {
    const keyFile = join(work(), 'agent.key');
    const protector = new KeyFileProtector(keyFile, { create: true });
    const secret = 'S3cret-Service-Password!';
    const sealed = await protector.protect(secret, 'serviceAccount.password');
    assert.equal(sealed.scheme, 'keyfile-aes256gcm-v1');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.ok(!sealed.data.includes(secret) && !Buffer.from(sealed.data, 'base64url').toString('utf8').includes(secret));
    assert.equal(await new KeyFileProtector(keyFile).unprotect(sealed, 'serviceAccount.password'), secret);
    const again = await protector.protect(secret, 'serviceAccount.password');
    assert.notEqual(again.data, sealed.data, 'a fresh nonce every time');
  });

  it('binds a value to its field: moved to another field it does not open', async () => {
    const protector = new KeyFileProtector(join(work(), 'agent.key'), { create: true });
    const sealed = await protector.protect('jcck_value', SECRET_PURPOSE.connectKey);
    await rejectsWith(protector.unprotect(sealed, SECRET_PURPOSE.apiKey), 'Agent.SecretUnreadable');
  });

  it('detects a tampered value and a different key', async () => {
    const dir = work();
    const protector = new KeyFileProtector(join(dir, 'a.key'), { create: true });
    const sealed = await protector.protect('value-1234', 'x');
    const bytes = Buffer.from(sealed.data, 'base64url');
    bytes[14] = (bytes[14] as number) ^ 1;
    await rejectsWith(protector.unprotect({ ...sealed, data: bytes.toString('base64url') }, 'x'), 'Agent.SecretUnreadable');
    const other = new KeyFileProtector(join(dir, 'b.key'), { create: true });
    await rejectsWith(other.unprotect(sealed, 'x'), 'Agent.SecretUnreadable');
  });

  it('refuses a key file other accounts can read, and a missing one unless creating', async () => {
    const keyFile = join(work(), 'agent.key');
    await new KeyFileProtector(keyFile, { create: true }).protect('v-1234', 'x');
    chmodSync(keyFile, 0o644);
    const err = await rejectsWith(new KeyFileProtector(keyFile).protect('v-1234', 'x'), 'Agent.KeyFileInsecure');
    assert.match(err.message, /chmod 600/);
    await rejectsWith(new KeyFileProtector(join(work(), 'none.key')).unprotect({ scheme: 'keyfile-aes256gcm-v1', data: 'AAAA' }, 'x'), 'Agent.KeyFileMissing');
  });

  it('refuses a value protected on the other platform', async () => {
    const protector = new KeyFileProtector(join(work(), 'agent.key'), { create: true });
    await rejectsWith(protector.unprotect({ scheme: 'dpapi-localmachine-v1', data: 'AAAA' }, 'x'), 'Agent.SecretSchemeMismatch');
  });
});

describe('DpapiProtector (Windows: powershell.exe, data on STDIN)', () => {
  // A stand-in for powershell.exe: XORs the bytes (its own inverse), and records each call.
  function fakePowerShell(calls: Array<{ file: string; args: string[]; input: string }>): StdinRunner {
    return async (file, args, input) => {
      calls.push({ file, args, input });
      const data = input.split('\n')[2] as string;
      const out = Buffer.from(data, 'base64').map((b) => b ^ 0x5a);
      return { code: 0, stdout: Buffer.from(out).toString('base64') + '\r\n', stderr: '' };
    };
  }

  it('keeps the secret off the command line and sends it on stdin, LocalMachine scope, the field as entropy', async () => {
    const calls: Array<{ file: string; args: string[]; input: string }> = [];
    const protector = new DpapiProtector(fakePowerShell(calls));
    const secret = 'Connect-Key-jcck_abcdef';
    const sealed = await protector.protect(secret, SECRET_PURPOSE.connectKey);
    assert.equal(sealed.scheme, 'dpapi-localmachine-v1');
    assert.equal(await protector.unprotect(sealed, SECRET_PURPOSE.connectKey), secret);
    assert.equal(calls.length, 2);
    for (const call of calls) {
      // By full path under the system folder: never resolved through the current folder or PATH.
      assert.match(call.file, /^[A-Z]:\\Windows\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/i);
      assert.deepEqual(call.args, DPAPI_ARGS);
      assert.ok(!call.args.join(' ').includes(secret), 'never on argv');
      assert.ok(!call.args.join(' ').includes(Buffer.from(secret).toString('base64')));
    }
    assert.match(DPAPI_ARGS.join(' '), /-NoProfile/);
    assert.match(DPAPI_ARGS.join(' '), /DataProtectionScope\]::LocalMachine/);
    assert.equal(calls[0]?.input.split('\n')[0], 'protect');
    assert.equal(Buffer.from(calls[0]?.input.split('\n')[2] as string, 'base64').toString('utf8'), secret, 'the plaintext travels on stdin');
    assert.equal(Buffer.from(calls[0]?.input.split('\n')[1] as string, 'base64').toString('utf8'), 'jcadi-config-v1|connectKey');
  });

  it('maps a failing powershell.exe to Agent.DpapiFailed without echoing the data', async () => {
    const protector = new DpapiProtector(async () => ({ code: 1, stdout: '', stderr: 'Key not valid for use in specified state.' }));
    const err = await rejectsWith(protector.unprotect({ scheme: 'dpapi-localmachine-v1', data: 'c2VjcmV0' }, 'x'), 'Agent.DpapiFailed');
    assert.match(err.message, /Key not valid/);
    assert.doesNotMatch(err.message, /c2VjcmV0/);
  });

  it('is the protector on win32, the key file elsewhere', () => {
    assert.ok(platformProtector('/x/agent.key', { create: false, platform: 'win32' }) instanceof DpapiProtector);
    assert.ok(platformProtector('/x/agent.key', { create: false, platform: 'linux' }) instanceof KeyFileProtector);
  });
});

describe('agent config', () => {
  async function sampleConfig(dir: string): Promise<AgentConfig> {
    const protector = new KeyFileProtector(agentPaths(dir).keyFile, { create: true });
    return agentConfigSchema.parse({
      configVersion: 1,
      installedVersion: '0.1.0',
      installedAt: new Date().toISOString(),
      serverType: 'member',
      domainController: 'dc1.example.com',
      ldap: { mode: 'ldaps', caFile: '/etc/ca.pem' },
      domain: 'DC=example;DC=com',
      rootUserDN: 'CN=Users;DC=example;DC=com',
      serviceAccount: { bindDN: 'jcsync@example.com', password: await protector.protect('Bind-Pa55word!', SECRET_PURPOSE.bindPassword) },
      jumpcloud: { baseUrl: 'https://console.jumpcloud.com', apiKey: await protector.protect('api-key-123456', SECRET_PURPOSE.apiKey) },
      connectKey: await protector.protect('jcck_connect-key-value', SECRET_PURPOSE.connectKey),
    });
  }

  it('writes 0600, atomically, with no secret in clear, and reads back with defaults', async () => {
    const dir = work();
    const paths = agentPaths(dir);
    const config = await sampleConfig(dir);
    writeAgentConfig(paths.config, config);
    assert.equal(statSync(paths.config).mode & 0o777, 0o600);
    const text = readFileSync(paths.config, 'utf8');
    for (const secret of ['Bind-Pa55word!', 'api-key-123456', 'jcck_connect-key-value']) assert.ok(!text.includes(secret), `${secret} is not in clear`);
    const read = readAgentConfig(paths.config);
    assert.equal(read.sync.fullReconcileMinutes, 60);
    assert.equal(read.sync.anchorAttribute, 'adminDescription');
    const secrets = await openAgentSecrets(read, new KeyFileProtector(paths.keyFile));
    assert.deepEqual(secrets, {
      bindPassword: 'Bind-Pa55word!',
      apiKey: 'api-key-123456',
      connectKey: 'jcck_connect-key-value',
      agentSecret: null,
      privateKeyPem: null,
      proxyPassword: null,
      anchorKey: null,
    });
    assert.ok(!existsSync(`${paths.config}.${process.pid}.tmp`));
  });

  it('keeps the anchor key protected, opens it as the 32-byte key, and refuses one that is not', async () => {
    const dir = work();
    const paths = agentPaths(dir);
    const protector = new KeyFileProtector(paths.keyFile, { create: true });
    const key = Buffer.alloc(32, 7).toString('base64');
    writeAgentConfig(paths.config, { ...(await sampleConfig(dir)), anchorKey: await protector.protect(key, SECRET_PURPOSE.anchorKey) });
    assert.ok(!readFileSync(paths.config, 'utf8').includes(key), 'the anchor key is not in clear');
    const secrets = await openAgentSecrets(readAgentConfig(paths.config), protector);
    assert.deepEqual(secrets.anchorKey, Buffer.alloc(32, 7));
    writeAgentConfig(paths.config, { ...(await sampleConfig(dir)), anchorKey: await protector.protect('short', SECRET_PURPOSE.anchorKey) });
    await assert.rejects(openAgentSecrets(readAgentConfig(paths.config), protector), /anchor key in the agent config is not a 32-byte key/);
  });

  it('holds either the connect key or the agent credentials, never both or neither', async () => {
    const config = await sampleConfig(work());
    const agent = { agentId: 'a1', domainId: 'd1', orgId: 'o1', exchangedAt: 'now', agentSecret: config.connectKey, privateKey: config.connectKey };
    assert.equal(agentConfigSchema.safeParse({ ...config, agent }).success, false);
    assert.equal(agentConfigSchema.safeParse({ ...config, connectKey: undefined }).success, false);
    assert.equal(agentConfigSchema.safeParse({ ...config, connectKey: undefined, agent }).success, true);
  });

  it('defaults to the channel mode; the API-key mode holds neither a connect key nor agent credentials', async () => {
    const config = await sampleConfig(work());
    assert.equal(config.mode, 'channel', 'a config written before the API-key mode existed');
    assert.equal(config.sync.insightsPollSeconds, 10);
    const apiKeyMode = { ...config, mode: 'apiKey', connectKey: undefined };
    assert.equal(agentConfigSchema.safeParse(apiKeyMode).success, true);
    assert.equal(agentConfigSchema.safeParse({ ...config, mode: 'apiKey' }).success, false, 'no connect key in the API-key mode');
    assert.equal(agentConfigSchema.safeParse({ ...apiKeyMode, sync: { insightsPollSeconds: 0.5 } }).success, false, 'the poll interval is bounded');
    assert.equal(agentConfigSchema.safeParse({ ...apiKeyMode, sync: { insightsPollSeconds: 301 } }).success, false);
  });

  it('reports a damaged config and a missing one with stable ids', () => {
    const dir = work();
    assert.throws(
      () => readAgentConfig(join(dir, 'agent.json')),
      (e: EngineError) => e.id === 'Agent.NotInstalled',
    );
    writeFileSync(join(dir, 'agent.json'), '{"configVersion": 1}');
    assert.throws(
      () => readAgentConfig(join(dir, 'agent.json')),
      (e: EngineError) => e.id === 'Agent.ConfigInvalid' && /serverType/.test(e.message),
    );
  });

  it('defaults the install path like the wizard', () => {
    assert.equal(defaultInstallPath('win32'), 'C:\\Program Files\\JumpCloud\\AD Integration\\');
    assert.equal(defaultInstallPath('linux'), '/opt/jumpcloudadi');
  });
});

describe("the wizard's offline checks", () => {
  const base = { rootUserDN: 'OU=Corporate Users;DC=example;DC=com', domain: 'DC=example;DC=com', serverType: 'dc' as const, ldap };
  const idOf = (input: Parameters<typeof checkAgentSettings>[0]) => checkAgentSettings(input)?.id ?? null;

  it('accepts a valid DC install', () => assert.equal(checkAgentSettings(base), null));
  it('refuses a Root DN outside the ADI domain, or differing in case', () => {
    assert.equal(idOf({ ...base, rootUserDN: 'CN=Users;DC=other;DC=com' }), 'RootDN.NotUnderDomain');
    assert.match(checkAgentSettings({ ...base, rootUserDN: 'CN=Users;DC=Example;DC=com' })?.message ?? '', /case/);
  });
  it('refuses a malformed Root DN or domain', () => {
    assert.equal(idOf({ ...base, rootUserDN: 'CN=Users,DC=example,DC=com' }), 'RootDN.Invalid');
    assert.equal(idOf({ ...base, domain: 'example.com' }), 'ADIDomain.Invalid');
  });
  it('needs the DC name on a member server', () => {
    assert.equal(idOf({ ...base, serverType: 'member' }), 'Agent.DomainControllerRequired');
    assert.equal(idOf({ ...base, serverType: 'member', domainController: 'dc1.example.com' }), null);
  });
  it('refuses plain LDAP unless allowed and acknowledged', () => {
    assert.equal(idOf({ ...base, ldap: { ...ldap, mode: 'ldap' } }), 'Agent.InsecureLdapNotAcknowledged');
    const onlyAllowed = checkAgentSettings({ ...base, ldap: { ...ldap, mode: 'ldap', allowInsecure: true } });
    assert.equal(onlyAllowed?.id, 'Agent.InsecureLdapNotAcknowledged');
    assert.match(onlyAllowed?.message ?? '', /AcknowledgeInsecureLdapRisk/);
    assert.equal(idOf({ ...base, ldap: { ...ldap, mode: 'ldap', allowInsecure: true, insecureRiskAcknowledged: true } }), null);
  });
});
