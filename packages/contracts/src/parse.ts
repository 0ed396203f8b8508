import { z } from 'zod';
import { ValidationError } from './errors/integration-error';
import type { ErrorCode } from './errors/codes';

export interface Issue {
  path: string;
  message: string;
}

export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

/**
 * Parses a value at a public boundary. Failure is a ValidationError with the given code and the
 * issues (paths and messages, never the offending values, which may be secrets).
 */
export function parseAt<S extends z.ZodType>(schema: S, value: unknown, label: string, code: ErrorCode = 'invalid_argument'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  throw new ValidationError(code, `${label}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });
}
