// The request envelope every `jcadi-engine exec` reads from stdin, and the shared `dc` block.
import * as z from 'zod';

const logLevelSchema = z.enum(['error', 'warning', 'info', 'verbose', 'debug']);

export const requestEnvelopeSchema = z.strictObject({
  protocol: z.literal(1, { error: 'protocol must be 1 (this engine speaks protocol version 1)' }),
  command: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  logFile: z.string().min(1).optional(),
  logLevel: logLevelSchema.optional(),
});

/** How to reach and bind to one domain controller. */
export const dcSchema = z
  .strictObject({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).optional(),
    mode: z.enum(['ldaps', 'starttls', 'ldap']).default('ldaps'),
    caFile: z.string().min(1).optional(),
    bindDN: z.string().min(1).max(1024),
    bindPassword: z.string().min(1).max(1024),
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    allowInsecure: z.boolean().default(false),
    insecureRiskAcknowledged: z.boolean().default(false),
    /**
     * Forest-wide UPN check through the global catalog (ad/global-catalog.ts): auto (when the
     * forest has more than one domain, or the count cannot be read), always, never.
     */
    globalCatalog: z.enum(['auto', 'always', 'never']).optional(),
    /** The global catalog server when it is not this DC or the one DNS names (_gc._tcp). */
    globalCatalogHost: z.string().min(1).max(255).optional(),
    /** Its port when not the standard one (3269 for ldaps, 3268 for starttls). */
    globalCatalogPort: z.number().int().min(1).max(65535).optional(),
  })
  .refine((dc) => dc.mode !== 'ldap' || (dc.allowInsecure && dc.insecureRiskAcknowledged), {
    message: 'plain LDAP sends passwords and user data unencrypted; it needs both allowInsecure and insecureRiskAcknowledged (use ldaps or starttls instead)',
    path: ['mode'],
  });
export type DcConfig = z.infer<typeof dcSchema>;
