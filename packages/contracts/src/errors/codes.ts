/**
 * Every stable error code, grouped by category. A caller can always `switch (err.code)`.
 * Add new codes here (one line, in the right category); never rename an existing one.
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
    'unsupported_import_format',
    'unsupported_import_document_version',
    'import_limit_exceeded',
    'unknown_registry_ref',
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
    'agent_max_turns',
    'agent_timeout',
    'agent_control_failed',
    'agent_llm_failed',
    'agent_invalid_decision',
    'agent_operation_failed',
    'agent_invalid_result',
  ],
  store: ['store_unavailable', 'store_failed', 'migration_failed'],
} as const;

export type ErrorCategory = keyof typeof errorCodes;
export type ErrorCode = (typeof errorCodes)[ErrorCategory][number];

const categoryByCode = new Map<string, ErrorCategory>();
for (const [category, codes] of Object.entries(errorCodes) as [ErrorCategory, readonly string[]][]) {
  for (const code of codes) categoryByCode.set(code, category);
}

export function categoryOf(code: ErrorCode): ErrorCategory {
  const category = categoryByCode.get(code);
  if (!category) throw new TypeError(`unregistered error code: ${code}`);
  return category;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && categoryByCode.has(value);
}
