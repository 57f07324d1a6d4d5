// zod helpers: parse with errors that name the field, as an admin reads them.
import type { z } from 'zod';
import { badRequest, type EngineError, type ErrorId } from '../errors';

export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(request)'}: ${issue.message}`;
    })
    .join('; ');
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string, errorId: ErrorId = 'Request.Invalid'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const err: EngineError = badRequest(errorId, `Invalid ${where}: ${formatIssues(parsed.error, where)}`, where);
  throw err;
}
