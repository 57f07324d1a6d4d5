// Security descriptors read from the test DC, stored as hex in tests/fixtures/delegation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './testdc';

export function sdFixture(name: string): Buffer {
  return Buffer.from(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'delegation', name), 'utf8').replace(/\s+/g, ''), 'hex');
}
