// stopWhenInputEnds: the stop channel of `jcadi-engine run --stop-on-stdin-close`.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { stopWhenInputEnds } from '../../../engine/src/agent/cli';

const tick = () => new Promise((r) => setImmediate(r));

describe('stopWhenInputEnds', () => {
  it('stops once when the input ends, not while data flows', async () => {
    const input = new PassThrough();
    let stops = 0;
    stopWhenInputEnds(input, () => stops++);
    input.write('anything the parent sends is read and dropped\n');
    await tick();
    assert.equal(stops, 0);
    input.end();
    await tick();
    await tick();
    assert.equal(stops, 1, 'end and close together stop once');
  });

  it('stops when the input fails (a broken pipe)', async () => {
    const input = new PassThrough();
    let stops = 0;
    stopWhenInputEnds(input, () => stops++);
    input.destroy(new Error('EPIPE'));
    await tick();
    assert.equal(stops, 1);
  });

  it('no longer stops once released', async () => {
    const input = new PassThrough();
    let stops = 0;
    const release = stopWhenInputEnds(input, () => stops++);
    release();
    input.end();
    input.resume();
    await tick();
    assert.equal(stops, 0);
    assert.equal(input.listenerCount('data'), 0);
  });
});
