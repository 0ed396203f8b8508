import type { z } from 'zod';
import { ConnectorError, issuesOf } from '@integration/contracts';

/** Checks a Notion response against the declared shape; a mismatch is a typed internal error. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  throw new ConnectorError({
    class: 'internal',
    message: `Notion returned an unexpected ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    providerCode: 'notion.unexpected_response',
    upstream: { phase: 'response', issues },
  });
}
