import { defineErrorCodes, integrationError, isIntegrationError, type ErrorCode, type IntegrationError, type Issue } from '@integration/contracts';

/**
 * The stable codes agent-spec raises, registered with contracts when this module loads. Every
 * failure helper below lives here, so a code is known before it is first thrown.
 */
export const agentSpecErrorCodes = defineErrorCodes({
  validation: ['unsupported_import_format', 'unsupported_import_document_version', 'import_limit_exceeded', 'unknown_registry_ref'],
  runtime: [
    'agent_max_turns',
    'agent_timeout',
    'agent_control_failed',
    'agent_llm_failed',
    'agent_invalid_decision',
    'agent_operation_failed',
    'agent_invalid_result',
  ],
});

declare module '@integration/contracts' {
  interface ErrorCodeRegistry {
    '@integration/agent-spec': typeof agentSpecErrorCodes;
  }
}

/**
 * Every import failure carries `details.reason`, an object with a stable `kind` and the data
 * needed to act on it (registry and ref, limit and maximum, offending path). Values from the
 * document are never echoed in messages, only paths, refs and names.
 */
export interface ImportReason {
  kind: string;
  [key: string]: unknown;
}

export function importFailure(code: ErrorCode, message: string, reason: ImportReason, extra: Record<string, unknown> = {}, cause?: unknown): IntegrationError {
  return integrationError(code, message, { details: { reason, ...extra }, ...(cause === undefined ? {} : { cause }) });
}

export function invalidDocument(message: string, reason: ImportReason, extra: Record<string, unknown> = {}): IntegrationError {
  return importFailure('invalid_argument', message, reason, extra);
}

export function unknownRegistryRef(registry: string, ref: string, path: string): IntegrationError {
  return importFailure(
    'unknown_registry_ref',
    `unknown ${registry} ref "${ref}" at ${path}; add it to the ${registry} registry or remove it from the document (refs are case sensitive)`,
    { kind: 'unknown_registry_ref', registry, ref, path },
  );
}

export function schemaFailure(label: string, issues: Issue[]): IntegrationError {
  return invalidDocument(`${label}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { kind: 'invalid_document', issues }, { issues });
}

export function pathOf(segments: ReadonlyArray<string | number | symbol>): string {
  return segments.length === 0 ? '(root)' : segments.map(String).join('.');
}

/** Errors raised by the agent runner (codes agent_*). */
export function agentFailure(code: ErrorCode, message: string, reason: ImportReason, cause?: unknown): IntegrationError {
  return integrationError(code, message, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

/** A short, secret-free summary of a thrown value for `details` (full value stays in `cause`). */
export function describeCause(error: unknown): Record<string, unknown> {
  if (isIntegrationError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}
