// The one registry of engine commands: every name loads a command of that very name, and an
// unknown name loads nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_NAMES, loadCommand } from '../../../engine/src/cli/commands';

describe('command registry', () => {
  it('loads, for every name, the command of that name with a params schema', async () => {
    assert.ok(COMMAND_NAMES.length >= 20, `only ${COMMAND_NAMES.length} commands`);
    assert.equal(new Set(COMMAND_NAMES).size, COMMAND_NAMES.length, 'names are unique');
    for (const name of COMMAND_NAMES) {
      const command = await loadCommand(name);
      assert.equal(command?.name, name);
      assert.equal(typeof command?.params.safeParse, 'function', `${name} has a zod params schema`);
      assert.equal(typeof command?.run, 'function', `${name} runs`);
    }
  });

  it('loads nothing for a name no command has', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString']) assert.equal(await loadCommand(name), undefined);
  });
});
