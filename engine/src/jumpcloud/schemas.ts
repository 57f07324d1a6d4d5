// Response shapes of the JumpCloud public API, as far as this engine reads them (JumpCloud's
// published OpenAPI specs: v1 systemusers/organizations, v2 usergroups/activedirectories/agents,
// Directory Insights). Objects are loose: fields JumpCloud adds later pass through untouched;
// a missing required field is a JumpCloudSchemaError naming it.
import * as z from 'zod';

const optionalText = z.string().nullish();
const optionalFlag = z.boolean().nullish();

/** v1 `/systemusers` item: the fields the sync maps, the rest passes through. */
export const systemUserSchema = z.looseObject({
  _id: z.string().min(1),
  username: z.string().min(1),
  email: z.string(),
  firstname: optionalText,
  lastname: optionalText,
  middlename: optionalText,
  displayname: optionalText,
  state: optionalText,
  suspended: optionalFlag,
  activated: optionalFlag,
  account_locked: optionalFlag,
  password_expired: optionalFlag,
  employeeIdentifier: optionalText,
  employeeType: optionalText,
  department: optionalText,
  jobTitle: optionalText,
  company: optionalText,
  location: optionalText,
  created: optionalText,
  organization: optionalText,
});
export type SystemUser = z.infer<typeof systemUserSchema>;

/**
 * The fields the sync maps (v1 `fields`, space-separated): the id, the names, the e-mail and the
 * state. A reconcile asks for them for every user in scope, so nothing more: each field asked is
 * sent, parsed and checked 20,000 times in a 20,000-user reconcile.
 */
export const SYSTEM_USER_SYNC_FIELDS = ['_id', 'username', 'email', 'firstname', 'lastname', 'suspended', 'state'] as const;

/** systemUserSchema reduced to SYSTEM_USER_SYNC_FIELDS (the rest, if sent, passes through unchecked). */
export const syncUserSchema = systemUserSchema.pick({ _id: true, username: true, email: true, firstname: true, lastname: true, suspended: true, state: true });
export type SyncUser = z.infer<typeof syncUserSchema>;

/** v1 list envelope. */
export function v1ListSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ results: z.array(item), totalCount: z.number().int().min(0) });
}

/** v2 `/usergroups` item. */
export const userGroupSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  type: optionalText,
  description: optionalText,
  email: optionalText,
});
export type UserGroup = z.infer<typeof userGroupSchema>;

/** A graph edge (`/members`, `/associations`): `{ attributes, to: { id, type } }`. */
export const graphConnectionSchema = z.looseObject({
  to: z.looseObject({ id: z.string().min(1), type: z.string().min(1) }),
});
export type GraphConnection = z.infer<typeof graphConnectionSchema>;

/**
 * A resolved graph object (`/membership`, traversals): `{ id, type, paths, compiledAttributes }`,
 * read for its id and type only; `paths` passes through unchecked. A group's `/membership` is
 * read for every bound group at every full reconcile: checking each member's paths was most of
 * what validating a reconcile's JumpCloud answers allocated, for paths nothing read.
 */
export const graphObjectSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
});
export type GraphObject = z.infer<typeof graphObjectSchema>;

/** A resolved graph object whose paths are read: which bound groups a user's binding goes through. */
export const graphObjectWithPathsSchema = graphObjectSchema.extend({
  paths: z.array(z.array(graphConnectionSchema)).nullish(),
});
export type GraphObjectWithPaths = z.infer<typeof graphObjectWithPathsSchema>;

/** v2 `/activedirectories` item. */
export const activeDirectorySchema = z.looseObject({
  id: z.string().min(1),
  domain: z.string().min(1),
  useCase: optionalText,
  primaryAgent: optionalText,
  delegationState: optionalText,
  groupsEnabled: optionalFlag,
  updatedAt: optionalText,
});
export type ActiveDirectory = z.infer<typeof activeDirectorySchema>;

/** v2 `/activedirectories/{id}/agents` item (state: unsealed | active | inactive). */
export const adAgentSchema = z.looseObject({
  id: z.string().min(1),
  agentType: optionalText,
  contactAt: optionalText,
  hostname: optionalText,
  source_ip: optionalText,
  state: optionalText,
  version: optionalText,
});
export type AdAgent = z.infer<typeof adAgentSchema>;

/** POST `/activedirectories/{id}/agents` answer: the one time the connect key is shown. */
export const adAgentCreatedSchema = adAgentSchema.extend({ connectKey: z.string().min(1) });
export type AdAgentCreated = z.infer<typeof adAgentCreatedSchema>;

/** `settings.passwordPolicy` of an organization. */
const passwordPolicySchema = z.looseObject({
  minLength: z.number().nullish(),
  enableMinLength: optionalFlag,
  needsLowercase: optionalFlag,
  needsUppercase: optionalFlag,
  needsNumeric: optionalFlag,
  needsSymbolic: optionalFlag,
  disallowSequentialOrRepetitiveChars: optionalFlag,
  disallowCommonlyUsedPasswords: optionalFlag,
  allowUsernameSubstring: optionalFlag,
  maxHistory: z.number().nullish(),
  enableMaxHistory: optionalFlag,
  minChangePeriodInDays: z.number().nullish(),
  enableMinChangePeriodInDays: optionalFlag,
  passwordExpirationInDays: z.number().nullish(),
  enablePasswordExpirationInDays: optionalFlag,
});
export type PasswordPolicy = z.infer<typeof passwordPolicySchema>;

/** v1 `/organizations/{id}`. */
export const organizationSchema = z.looseObject({
  _id: z.string().min(1),
  displayName: optionalText,
  created: optionalText,
  settings: z.looseObject({ passwordPolicy: passwordPolicySchema.nullish() }).nullish(),
});
export type Organization = z.infer<typeof organizationSchema>;

/** v1 `/organizations` item. */
export const organizationSummarySchema = z.looseObject({
  _id: z.string().min(1),
  displayName: optionalText,
  logoUrl: optionalText,
});
export type OrganizationSummary = z.infer<typeof organizationSummarySchema>;

/** A Directory Insights event. Only `id`, `event_type` and `timestamp` are promised for every row. */
export const directoryEventSchema = z.looseObject({
  id: z.string().min(1),
  event_type: z.string().min(1),
  timestamp: z.string().min(1),
  service: optionalText,
  organization: optionalText,
  resource: z.looseObject({ id: optionalText, type: optionalText }).nullish(),
  initiated_by: z.looseObject({ id: optionalText, type: optionalText }).nullish(),
});
export type DirectoryEvent = z.infer<typeof directoryEventSchema>;

/** JumpCloud's error body `{ code, message, status }` (all optional: proxies answer with anything). */
export const errorBodySchema = z.looseObject({
  message: z.string().nullish(),
  error: z.string().nullish(),
});
