// Recorded shapes: answers written from JumpCloud's published OpenAPI descriptions
// (tests/fixtures/jumpcloud) parse with the client's schemas, extra fields pass through, and a
// missing required field is a JumpCloudSchemaError that names the endpoint and the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { JumpCloudSchemaError } from '../../../engine/src/jumpcloud/errors';
import {
  activeDirectorySchema,
  adAgentCreatedSchema,
  adAgentSchema,
  directoryEventSchema,
  graphConnectionSchema,
  graphObjectWithPathsSchema,
  organizationSchema,
  organizationSummarySchema,
  systemUserSchema,
  userGroupSchema,
  v1ListSchema,
} from '../../../engine/src/jumpcloud/schemas';
import { validate } from '../../../engine/src/jumpcloud/transport';

const fixtures = join(__dirname, '../../fixtures/jumpcloud');
const load = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

const CASES: Array<[string, z.ZodType]> = [
  ['systemusers-list.json', v1ListSchema(systemUserSchema)],
  ['systemuser.json', systemUserSchema],
  ['organizations-list.json', v1ListSchema(organizationSummarySchema)],
  ['organization.json', organizationSchema],
  ['usergroups-list.json', z.array(userGroupSchema)],
  ['usergroup-members.json', z.array(graphConnectionSchema)],
  ['usergroup-membership.json', z.array(graphObjectWithPathsSchema)],
  ['activedirectories-list.json', z.array(activeDirectorySchema)],
  ['activedirectory-associations-user_group.json', z.array(graphConnectionSchema)],
  ['activedirectory-agents.json', z.array(adAgentSchema)],
  ['activedirectory-agent-created.json', adAgentCreatedSchema],
  ['directory-insights-events.json', z.array(directoryEventSchema)],
];

describe('jumpcloud schemas: recorded shapes', () => {
  for (const [file, schema] of CASES) {
    it(`parses ${file}`, () => {
      const parsed = schema.safeParse(load(file));
      assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues, null, 1));
    });
  }

  it('keeps fields it does not know (loose objects)', () => {
    const users = v1ListSchema(systemUserSchema).parse(load('systemusers-list.json'));
    const ada = users.results[0] as Record<string, unknown>;
    assert.equal(ada.costCenter, '4100');
    assert.deepEqual(ada.mfa, { configured: false, exclusion: false, exclusionUntil: null });
  });

  it('reads the fields the sync maps', () => {
    const users = v1ListSchema(systemUserSchema).parse(load('systemusers-list.json'));
    const [ada, sam] = users.results;
    assert.equal(ada?.username, 'ada.lovelace');
    assert.equal(ada?.employeeIdentifier, 'E10001');
    assert.equal(sam?.lastname, '');
    assert.equal(sam?.suspended, true);
    assert.equal(sam?.employeeIdentifier, null);
    const org = organizationSchema.parse(load('organization.json'));
    assert.equal(org.settings?.passwordPolicy?.minLength, 12);
    assert.equal(org.settings?.passwordPolicy?.needsSymbolic, true);
  });

  it('names the endpoint and field path when a required field is missing', () => {
    const body = load('systemusers-list.json') as { results: Array<Record<string, unknown>> };
    delete body.results[1]?.username;
    assert.throws(
      () => validate(v1ListSchema(systemUserSchema), body, 'GET /api/systemusers'),
      (err: unknown) => {
        assert.ok(err instanceof JumpCloudSchemaError);
        assert.equal(err.id, 'JumpCloud.SchemaMismatch');
        assert.equal(err.endpoint, 'GET /api/systemusers');
        assert.equal(err.fieldPath, 'results.1.username');
        assert.match(err.message, /GET \/api\/systemusers/);
        assert.match(err.message, /results\.1\.username/);
        return true;
      },
    );
  });

  it('refuses an agent creation answer without its connect key', () => {
    const body = load('activedirectory-agent-created.json') as Record<string, unknown>;
    delete body.connectKey;
    assert.throws(() => validate(adAgentCreatedSchema, body, 'POST /api/v2/activedirectories/x/agents'), /connectKey/);
  });
});
