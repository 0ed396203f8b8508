import { runtimeError } from '../errors';

export type JsonLine = Record<string, unknown> & { type: string };

/**
 * Parses one JSONL line: a JSON object with a string `type`. Anything else is `malformed_output`
 * (the message names the line number and the problem, never the line itself, which may hold secrets).
 */
export function parseJsonLine(line: string, lineNumber: number, profile: string): JsonLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw runtimeError('malformed_output', `${profile}: stdout line ${lineNumber} is not valid JSON`, {
      profile,
      lineNumber,
      reason: 'invalid_json',
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw runtimeError('malformed_output', `${profile}: stdout line ${lineNumber} is not a JSON object`, {
      profile,
      lineNumber,
      reason: 'not_an_object',
    });
  }
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string' || type.length === 0) {
    throw runtimeError('malformed_output', `${profile}: stdout line ${lineNumber} has no string "type"`, {
      profile,
      lineNumber,
      reason: 'missing_type',
    });
  }
  return value as JsonLine;
}

export function objectOr(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
