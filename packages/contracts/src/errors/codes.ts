/**
 * The platform's own stable error codes, grouped by category. A package with codes of its own
 * declares them with `defineErrorCodes` instead (see below). Add a code in the right category;
 * never rename an existing one.
 */
export const errorCodes = {
  validation: [
    'invalid_argument',
    'invalid_input',
    'invalid_output',
    'invalid_request',
    'invalid_definition',
    'invalid_record',
    'invalid_trigger',
    'invalid_route',
    'invalid_descriptor',
    'payload_too_large',
    'preflight_validation',
  ],
  not_found: [
    'unknown_capability',
    'unknown_connector',
    'unknown_run',
    'unknown_attempt',
    'unknown_artifact',
    'unknown_target',
    'unknown_install',
    'unknown_connection',
    'unknown_credential',
    'unknown_lease',
    'unknown_secret',
    'unknown_trigger',
    'unknown_dispatch',
    'unknown_route',
    'route_not_found',
    'tenant_not_found',
  ],
  auth: [
    'connection_required',
    'connection_installing',
    'connection_revoked',
    'connection_disabled',
    'reauth_required',
    'missing_connection_scopes',
    'credential_subject_mismatch',
    'connection_subject_mismatch',
    'invalid_connection_transition',
    'install_already_consumed',
    'install_expired',
    'install_cancelled',
    'install_subject_mismatch',
    'invalid_callback_token',
    'invalid_oauth_state',
    'oauth_exchange_failed',
    'refresh_failed',
    'expired_lease',
    'lease_revoked',
    'lease_superseded',
    'credential_unsealable',
    'key_configuration_missing',
    'signature_invalid',
    'auth_not_supported',
  ],
  policy: ['policy_denied', 'policy_shed'],
  conflict: [
    'event_conflict',
    'stale_aggregator_epoch',
    'aggregator_id_mismatch',
    'duplicate_capability',
    'duplicate_connector',
    'duplicate_record',
    'run_completed',
    'run_denied',
    'run_shed',
    'run_not_executable',
    'ambiguous_route',
    'invalid_dispatch_state',
    'lock_lost',
  ],
  runtime: [
    'target_incompatible',
    'unsupported_runtime_class',
    'missing_runtime_driver',
    'unknown_runtime_driver',
    'runtime_failed',
    'runtime_timeout',
    'runtime_cancelled',
    'session_failed',
    'boundary_failed',
    'subprocess_failed',
    'malformed_output',
    'connector_auth_failed',
    'connector_invalid_request',
    'connector_rate_limited',
    'connector_timeout',
    'connector_unavailable',
    'connector_internal',
  ],
  store: ['store_unavailable', 'store_failed', 'migration_failed'],
} as const;

export type ErrorCategory = keyof typeof errorCodes;

/** Codes by category, as a package declares them. */
export type ErrorCodeSet = { readonly [C in ErrorCategory]?: readonly string[] };

/**
 * Every package's codes, by declaration merging, so `ErrorCode` (and `switch (err.code)`) covers
 * them wherever that package's types are loaded. A package adds itself next to its
 * `defineErrorCodes` call:
 *
 *     declare module '@integration/contracts' {
 *       interface ErrorCodeRegistry { '@integration/agent-spec': typeof agentSpecErrorCodes }
 *     }
 */
export interface ErrorCodeRegistry {
  '@integration/contracts': typeof errorCodes;
}

type CodesOf<S> = { [C in keyof S]: S[C] extends readonly (infer Code)[] ? Code : never }[keyof S];
export type ErrorCode = { [P in keyof ErrorCodeRegistry]: CodesOf<ErrorCodeRegistry[P]> }[keyof ErrorCodeRegistry];

const categoryByCode = new Map<string, ErrorCategory>();

/**
 * Registers a package's codes (at module load) and returns them unchanged, for
 * `typeof` in the package's `ErrorCodeRegistry` entry. A code keeps one category: declaring it
 * again in the same category is a no-op, in another one a TypeError.
 */
export function defineErrorCodes<const S extends ErrorCodeSet>(codes: S): S {
  for (const [category, list] of Object.entries(codes) as [ErrorCategory, readonly string[]][]) {
    if (!Object.hasOwn(errorCodes, category)) throw new TypeError(`unknown error category: ${category}`);
    for (const code of list) {
      const known = categoryByCode.get(code);
      if (known && known !== category) throw new TypeError(`error code ${code} is already registered as ${known}`);
      categoryByCode.set(code, category);
    }
  }
  return codes;
}

defineErrorCodes(errorCodes);

export function categoryOf(code: ErrorCode): ErrorCategory {
  const category = categoryByCode.get(code);
  if (!category) throw new TypeError(`unregistered error code: ${code}`);
  return category;
}

/** True for a code of the platform or of any package whose codes are registered in this process. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && categoryByCode.has(value);
}
