// Loading the JumpCloud client does not load Node's fetch implementation (undici): axios reads the
// web globals when it loads, and jumpcloud/web-globals.ts hides them for that moment only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/testdc';

describe('the JumpCloud client and the web globals', () => {
  it('loads without loading undici, and leaves the globals as Node defined them', () => {
    // In a process of its own: what a process has loaded cannot be unloaded.
    const script = `
      const undici = () => process.moduleLoadList.some((m) => m.includes('undici'));
      const before = undici();
      require('./engine/src/jumpcloud/client.ts');
      const afterLoad = undici();
      const getters = ['FormData', 'Headers', 'Request', 'Response'].every((n) => typeof Object.getOwnPropertyDescriptor(globalThis, n)?.get === 'function');
      const request = new Request('https://console.jumpcloud.com/api/systemusers');
      console.log(JSON.stringify({ before, afterLoad, getters, url: request.url, afterUse: undici() }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { before: boolean; afterLoad: boolean; getters: boolean; url: string; afterUse: boolean };
    assert.equal(seen.before, false);
    assert.equal(seen.afterLoad, false, 'loading the client loaded undici');
    assert.equal(seen.getters, true, 'the four globals are the lazy getters again');
    assert.equal(seen.url, 'https://console.jumpcloud.com/api/systemusers');
    assert.equal(seen.afterUse, true, 'a later use loads undici as before');
  });
});
