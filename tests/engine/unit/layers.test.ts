// The engine's layers point down: the lint rule in eslint.config.mjs refuses a wrong-way import.
// These cases prove the rule bites (a rule that never fires would pass every lint run).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../helpers/testdc';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(REPO_ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('engine layering (lint)', () => {
  const wrongWay: Array<[string, string]> = [
    ['engine/src/ad/probe.ts', "import type { Plan } from '../sync/model';\nexport type P = Plan;\n"],
    ['engine/src/jumpcloud/probe.ts', "import type { CommandContext } from '../cli/command';\nexport type C = CommandContext;\n"],
    ['engine/src/sync/probe.ts', "import { runAgent } from '../agent/runner';\nexport const r = runAgent;\n"],
    ['engine/src/ad/probe.ts', "import { JumpCloudClient } from '../jumpcloud/client';\nexport const c = JumpCloudClient;\n"],
    ['engine/src/errors.ts', "import { capitalise } from './util/text';\nexport const c = capitalise;\n"],
    ['engine/src/sandbox/probe.ts', "import { AdSession } from '../ad/session';\nexport const s = AdSession;\n"],
  ];
  for (const [file, source] of wrongWay) {
    it(`refuses ${source.split('\n')[0]} in ${file}`, async () => {
      const errors = await layerErrors(file, source);
      assert.equal(errors.length, 1, `expected one layering error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /layer|import only/);
    });
  }

  const rightWay: Array<[string, string]> = [
    ['engine/src/sync/probe.ts', "import type { AdUser } from '../ad/model';\nexport type U = AdUser;\n"],
    ['engine/src/ad/probe.ts', "import { EngineError } from '../errors';\nexport const e = EngineError;\n"],
    ['engine/src/cli/commands/probe.ts', "import { runAgent } from '../../agent/runner';\nexport const r = runAgent;\n"],
    ['engine/src/version.ts', "import pkg from '../../package.json';\nexport const v = pkg.version;\n"],
  ];
  for (const [file, source] of rightWay) {
    it(`allows ${source.split('\n')[0]} in ${file}`, async () => {
      assert.deepEqual(await layerErrors(file, source), []);
    });
  }
});
