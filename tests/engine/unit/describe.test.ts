// The describe command: the facts the module reads instead of keeping copies. Its install-folder
// names must be the ones agent-install writes, and its exit codes the ones exec returns.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { ldapSettingsSchema } from '../../../engine/src/agent/config';
import { installAgent } from '../../../engine/src/agent/install';
import { describeExitCodes, describeInstallFiles } from '../../../engine/src/cli/commands/describe';
import { execRequest } from '../../../engine/src/cli/exec';
import { ExitCode } from '../../../engine/src/errors';

async function describeRecord(): Promise<{
  code: number;
  data: { ExitCodes: Array<{ Name: string; Code: number; Meaning: string; Category: string }>; InstallFiles: Record<string, string> };
}> {
  const out: string[] = [];
  const logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-describe-')), 'engine.log');
  const code = await execRequest(JSON.stringify({ protocol: 1, command: 'describe' }), { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: logFile } });
  const lines = out
    .join('')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; recordType?: string; data?: unknown });
  const records = lines.filter((l) => l.type === 'record');
  assert.equal(records.length, 1);
  assert.equal(records[0]?.recordType, 'JumpCloudADI.EngineDescription');
  assert.equal(lines.at(-1)?.type, 'result');
  return { code, data: records[0]?.data as never };
}

describe('describe', () => {
  it('lists every exit code once, in code order, with a meaning and the category of an exit without an error line', async () => {
    const { code, data } = await describeRecord();
    assert.equal(code, 0);
    assert.deepEqual(
      data.ExitCodes.map((e) => [e.Name, e.Code]),
      Object.entries(ExitCode).sort((a, b) => a[1] - b[1]),
    );
    assert.ok(data.ExitCodes.every((e) => e.Meaning.length > 0));
    assert.deepEqual(
      data.ExitCodes.filter((e) => e.Code >= 2 && e.Code <= 5).map((e) => e.Category),
      ['InvalidArgument', 'ConnectionError', 'AuthenticationError', 'LimitsExceeded'],
    );
    assert.deepEqual(data.ExitCodes, describeExitCodes());
    assert.deepEqual(data.InstallFiles, describeInstallFiles());
  });

  it('names the files agent-install writes: the engine, the service host, the config and its key file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'jcadi-describe-install-'));
    const engineFile = join(work, 'engine-to-copy');
    const serviceHostFile = join(work, 'host-to-copy');
    writeFileSync(engineFile, '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(serviceHostFile, 'MZ', { mode: 0o755 });
    const installPath = join(work, 'AD Integration');
    const outcome = await installAgent(
      installPath,
      engineFile,
      {
        serverType: 'dc',
        domainController: undefined,
        ldap: ldapSettingsSchema.parse({}),
        rootUserDN: 'OU=Users;DC=example;DC=com',
        domain: 'DC=example;DC=com',
        bindDN: 'CN=svc,DC=example,DC=com',
        bindPassword: 'describe-test-password',
        mode: 'apiKey',
        connectKey: null,
        jumpcloud: { timeoutMs: 30_000, apiKey: 'describe-test-api-key' },
        sync: {},
      },
      undefined,
      serviceHostFile,
    );
    const files = describeInstallFiles();
    const written = readdirSync(installPath).sort();
    assert.deepEqual(written, [files.Engine, files.ServiceHost, files.Config, files.KeyFile].sort());
    assert.equal(basename(outcome.paths.engine), files.Engine);
    assert.equal(basename(outcome.paths.serviceHost), files.ServiceHost);
    assert.equal(basename(outcome.paths.config), files.Config);
    assert.equal(basename(outcome.paths.keyFile), files.KeyFile);
    assert.equal(basename(outcome.paths.journal), files.Journal);
    assert.equal(basename(outcome.paths.state), files.State);
    assert.equal(basename(outcome.paths.pid), files.Pid);
    assert.equal(outcome.paths.log, join(installPath, files.Log ?? ''));
  });

  it('names the Windows engine with its .exe', () => {
    assert.equal(describeInstallFiles('win32').Engine, 'jcadi-engine.exe');
    assert.equal(describeInstallFiles('linux').Engine, 'jcadi-engine');
  });
});
