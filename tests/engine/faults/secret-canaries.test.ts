// The canary scan, last file of the fault suite: the run's canary secrets (the sandbox API key,
// the service account's bind password, user passwords delivered through the sandbox) must appear
// in no file the suite left behind (engine and agent logs, journals, agent configs and state,
// sandbox state, stdout/stderr captures, the runner's own output, the private DC's log) and in no
// process argv or environment the watcher sampled while the suite ran.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canaryNeedles, filesUnder, findCanary, scanFiles } from '../helpers/canary';
import { AdSession } from '../../../engine/src/ad/session';
import { canaryApiKeyFile, canaryBindPassword, canaryMarker, faultWork, serviceDc, testDc } from '../helpers/faultworld';
import { installedSecrets } from '../helpers/agent';

interface WatchSummary {
  samples: number;
  processesSeen: number;
  ownProcessesSeen: number;
  environsRead: number;
  ownCommands: Record<string, number>;
  hits: Array<{ pid: number; command: string; where: string; encodings: string[] }>;
}

describe('secret canaries', () => {
  const work = faultWork();
  const marker = canaryMarker();
  const needles = canaryNeedles(marker);

  it('the detector finds the marker in every encoding it looks for, and nothing in clean text', () => {
    const secret = `${marker}-Pw7-Secret!9`;
    const samples: Array<[string, Buffer]> = [
      ['utf8', Buffer.from(`{"password":"${secret}"}`)],
      ['utf16le', Buffer.concat([Buffer.from('x'), Buffer.from(`"${secret}"`, 'utf16le')])],
      ['hex', Buffer.from(Buffer.from(secret).toString('hex'))],
      ...[0, 1, 2].map((shift): [string, Buffer] => [
        `base64+${shift}`,
        Buffer.from(Buffer.concat([Buffer.alloc(shift, 7), Buffer.from(secret)]).toString('base64')),
      ]),
    ];
    for (const [encoding, data] of samples) assert.ok(findCanary(data, needles).length > 0, `finds the marker as ${encoding}`);
    assert.deepEqual(findCanary(Buffer.from(`Canary-${'0'.repeat(16)} and ${marker.slice(0, -1)}`), needles), []);
  });

  it('no canary in any log, journal, config, state file or capture of the run, nor in the private DC log', () => {
    const files = [...filesUnder(work, [join(work, 'canary'), join(work, 'watch')]), ...filesUnder(join(testDc().dir, 'log'))];
    const kinds = (suffix: RegExp) => files.filter((f) => suffix.test(f)).length;
    assert.ok(kinds(/\.log$/) >= 5, `engine logs were written (${kinds(/\.log$/)})`);
    assert.ok(kinds(/\.(stdout|stderr)$/) >= 4, 'stdout and stderr captures were written');
    assert.ok(kinds(/\.jsonl$/) >= 2, 'journals were written');
    assert.ok(existsSync(join(work, 'runner.out')), "the runner's own output is captured");
    const hits = scanFiles(files, needles);
    assert.deepEqual(hits, [], `canary found in: ${hits.map((h) => `${h.file} (${h.encodings.join(', ')})`).join('; ')}`);
  });

  it("no canary in the argv of any process, nor in the environment of the suite's processes", () => {
    const summary = JSON.parse(readFileSync(join(work, 'watch', 'summary.json'), 'utf8')) as WatchSummary;
    assert.ok(summary.samples >= 20, `the watcher sampled throughout (${summary.samples} samples)`);
    // The engine verbs the scenarios of this run started, as their files show.
    const captures = filesUnder(join(work, 'captures'));
    const expected = ['jcadi-engine exec'];
    if (captures.some((f) => /sandbox-[^/]*\.stderr$/.test(f))) expected.push('jcadi-engine sandbox');
    if (existsSync(join(work, 'agents'))) expected.push('jcadi-engine run');
    const commands = Object.keys(summary.ownCommands);
    for (const verb of expected) assert.ok(commands.includes(verb), `the watcher saw '${verb}' processes (saw: ${commands.join(', ')})`);
    assert.ok(summary.environsRead > 0);
    assert.deepEqual(summary.hits, [], 'a canary was in argv or an environment');
  });

  it('the canaries were in use: the service account binds with the canary password; agents hold it and the API key protected', async () => {
    const session = await AdSession.open(serviceDc());
    await session.close();
    const agentsRoot = join(work, 'agents');
    const installs = existsSync(agentsRoot) ? readdirSync(agentsRoot).map((d) => join(agentsRoot, d)) : [];
    for (const installPath of installs) {
      const config = readFileSync(join(installPath, 'agent.json'), 'utf8');
      assert.ok(!config.includes(marker), 'agent.json holds no canary in clear');
      const secrets = await installedSecrets(installPath);
      assert.equal(secrets.bindPassword, canaryBindPassword(), 'the protected bind password is the canary');
      assert.equal(secrets.apiKey, readFileSync(canaryApiKeyFile(), 'utf8').trim(), 'the protected API key is the canary');
    }
  });
});
