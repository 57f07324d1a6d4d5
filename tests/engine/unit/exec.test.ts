// The request → protocol path: validation names the field, every run ends in one result line,
// exit codes follow the contract, and a secret in the request reaches neither stdout nor the log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';

interface Line {
  v: number;
  type: string;
  [key: string]: unknown;
}

async function run(request: unknown, logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-exec-')), 'engine.log')) {
  const out: string[] = [];
  const text = typeof request === 'string' ? request : JSON.stringify(request);
  const code = await execRequest(text, { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: logFile } });
  const raw = out.join('');
  const lines = raw
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  return { code, lines, raw, log: readFileSync(logFile, 'utf8'), logFile };
}

describe('exec: protocol envelope', () => {
  it('answers version with a record and one final result', async () => {
    const { code, lines } = await run({ protocol: 1, command: 'version' });
    assert.equal(code, 0);
    assert.ok(lines.every((l) => l.v === 1));
    assert.equal(lines.filter((l) => l.type === 'result').length, 1);
    assert.equal(lines.at(-1)?.type, 'result');
    const record = lines.find((l) => l.type === 'record');
    assert.equal(record?.recordType, 'JumpCloudADI.EngineInfo');
    assert.match(String((record?.data as Record<string, unknown>).Version), /^\d+\.\d+\.\d+/);
  });

  it('rejects invalid JSON with exit 2 and does not echo the input', async () => {
    const { code, lines, raw } = await run('{"protocol":1,"command":"ad-ping","params":{"dc":{"bindPassword":"Hunter2-Canary"');
    assert.equal(code, 2);
    assert.equal(lines[0]?.id, 'Request.InvalidJson');
    assert.doesNotMatch(raw, /Hunter2-Canary/);
  });

  it('rejects an empty request', async () => {
    const { code, lines } = await run('  ');
    assert.equal(code, 2);
    assert.equal(lines[0]?.id, 'Request.Empty');
  });

  it('rejects a wrong protocol version, naming the field', async () => {
    const { code, lines } = await run({ protocol: 2, command: 'version' });
    assert.equal(code, 2);
    assert.match(String(lines[0]?.message), /request\.protocol/);
  });

  it('rejects an unknown command and lists the known ones', async () => {
    const { code, lines } = await run({ protocol: 1, command: 'format-c' });
    assert.equal(code, 2);
    assert.equal(lines[0]?.id, 'Request.UnknownCommand');
    assert.match(String(lines[0]?.message), /test-rootdn/);
  });

  it('names the offending field of invalid params', async () => {
    const { code, lines } = await run({
      protocol: 1,
      command: 'ad-ping',
      params: { dc: { host: 'dc1', port: '636', bindDN: 'a', bindPassword: 'b' } },
    });
    assert.equal(code, 2);
    assert.equal(lines[0]?.id, 'Request.Invalid');
    assert.match(String(lines[0]?.message), /params\.dc\.port: .*expected number/);
  });

  it('rejects unknown params keys', async () => {
    const { code, lines } = await run({ protocol: 1, command: 'test-rootdn', params: { rootUserDN: 'CN=Users;DC=x', bogus: 1 } });
    assert.equal(code, 2);
    assert.match(String(lines[0]?.message), /bogus/);
  });

  it('refuses plain LDAP without both insecure flags', async () => {
    const { code, lines } = await run({
      protocol: 1,
      command: 'ad-ping',
      params: { dc: { host: '127.0.0.1', mode: 'ldap', allowInsecure: true, bindDN: 'a', bindPassword: 'b' } },
    });
    assert.equal(code, 2);
    assert.match(String(lines[0]?.message), /params\.dc\.mode: plain LDAP.*insecureRiskAcknowledged/);
  });

  it('returns a bad Root DN as a result, not an error', async () => {
    const { code, lines } = await run({ protocol: 1, command: 'test-rootdn', params: { rootUserDN: 'OU=Corporate Users,DC=example,DC=com' } });
    assert.equal(code, 0);
    const data = lines.find((l) => l.type === 'record')?.data as Record<string, unknown>;
    assert.equal(data.IsValid, false);
    assert.match(String((data.Problems as string[])[0]), /semicolons/);
  });
});

describe('exec: secrets', () => {
  const canary = 'Canary-P@ss-7f3a9c';
  it('keeps a password out of stdout and the log, even through errors', async () => {
    const { code, raw, log } = await run({
      protocol: 1,
      command: 'ad-ping',
      logLevel: 'debug',
      params: { dc: { host: '127.0.0.1', port: 1, bindDN: `cn=${canary}`, bindPassword: canary, timeoutMs: 2000 } },
    });
    assert.equal(code, 3);
    assert.ok(log.includes('ad-ping started'), 'the log was written');
    assert.ok(log.includes('"bindPassword":"***"'), 'the password field is masked in the log');
    assert.equal(raw.includes(canary), false, 'stdout holds the password');
    assert.equal(log.includes(canary), false, 'the log holds the password');
  });

  it('keeps a password out of a validation error', async () => {
    const { raw, log } = await run({ protocol: 1, command: 'ad-ping', params: { dc: { host: canary, bindDN: 'x', bindPassword: canary, port: 'x' } } });
    assert.equal(raw.includes(canary), false);
    assert.equal(log.includes(canary), false);
  });
});

describe('exec: log file location', () => {
  it('treats an empty JCADI_LOG_FILE as unset instead of failing', async () => {
    const state = mkdtempSync(join(tmpdir(), 'jcadi-state-'));
    const out: string[] = [];
    const code = await execRequest(JSON.stringify({ protocol: 1, command: 'version' }), {
      writeLine: (l) => out.push(l),
      env: { JCADI_LOG_FILE: '', JCADI_STATE_DIR: state },
    });
    assert.equal(code, 0, out.join(''));
    assert.match(readFileSync(join(state, 'logs', 'engine.log'), 'utf8'), /command version started/);
  });
});
