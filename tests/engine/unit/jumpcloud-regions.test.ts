// Every JumpCloud region the engine knows is one JumpCloud publishes (US, EU, India), each with
// its own console/API host and its own Directory Insights host; anything else is refused with
// the list of the valid ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jumpcloudConnectionSchema, REGION_CODES, REGIONS, resolveEndpoints } from '../../../engine/src/jumpcloud/connection';

describe('JumpCloud regions', () => {
  it('lists US, EU and India, each with a console host and a separate Directory Insights host', () => {
    assert.deepEqual([...REGION_CODES].sort(), ['eu', 'in', 'us']);
    for (const code of REGION_CODES) {
      const region = REGIONS[code];
      assert.match(region.console, /^https:\/\/console\.([a-z]+\.)?jumpcloud\.com$/);
      assert.match(region.insights, /^https:\/\/api\.([a-z]+\.)?jumpcloud\.com$/);
      assert.notEqual(new URL(region.console).host, new URL(region.insights).host);
    }
  });

  it('resolves India to its own hosts', () => {
    assert.deepEqual(resolveEndpoints({ region: 'in' }), {
      baseUrl: 'https://console.in.jumpcloud.com',
      insightsBaseUrl: 'https://api.in.jumpcloud.com',
      region: 'in',
    });
    assert.equal(resolveEndpoints({}).baseUrl, 'https://console.jumpcloud.com');
  });

  it('refuses an unknown region, naming the valid ones', () => {
    assert.equal(jumpcloudConnectionSchema.safeParse({ apiKey: 'k', region: 'in' }).success, true);
    const refused = jumpcloudConnectionSchema.safeParse({ apiKey: 'k', region: 'ap' });
    assert.equal(refused.success, false);
    const message = refused.error?.issues[0]?.message ?? '';
    assert.match(message, /us, eu, in/);
  });
});
