// The file logger: what it writes at each level, and that an entry below the logger's level is
// dropped before it is formatted (the scrubber never sees it).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileLogger, type LogLevel } from '../../../engine/src/log/logger';
import { SecretScrubber } from '../../../engine/src/log/secrets';

/** A logger at `level` whose scrubber counts the messages it scrubs; every level logged once. */
async function logEachLevel(level: LogLevel) {
  const file = join(mkdtempSync(join(tmpdir(), 'jcadi-logger-')), 'engine.log');
  const scrubber = new SecretScrubber();
  const scrubbed: string[] = [];
  const scrub = scrubber.scrub.bind(scrubber);
  scrubber.scrub = (text: string) => (scrubbed.push(text), scrub(text));
  const logger = createFileLogger(file, level, scrubber);
  for (const lvl of ['error', 'warning', 'info', 'verbose', 'debug'] as const) logger.log(lvl, `a ${lvl} line`, { attempt: 1 });
  await logger.close();
  const written = readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: string; message: string; attempt: number });
  return { written, scrubbed };
}

describe('file logger levels', () => {
  it('writes the levels up to its own, each with its fields', async () => {
    const { written } = await logEachLevel('info');
    assert.deepEqual(
      written.map((e) => e.level),
      ['error', 'warning', 'info'],
    );
    assert.ok(written.every((e) => e.attempt === 1 && e.message === `a ${e.level} line`));
  });

  it('drops a level below its own before formatting it (nothing of it reaches the scrubber)', async () => {
    const { scrubbed } = await logEachLevel('info');
    assert.deepEqual(scrubbed, ['a error line', 'a warning line', 'a info line']);
  });

  it('writes debug lines at debug', async () => {
    const { written } = await logEachLevel('debug');
    assert.deepEqual(
      written.map((e) => e.level),
      ['error', 'warning', 'info', 'verbose', 'debug'],
    );
  });
});
