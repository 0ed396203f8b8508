import { isIntegrationError } from '../errors/integration-error';
import { ANONYMOUS_CREDENTIAL_REF } from '../records/credential-ref';
import { RunSchema, type Run } from '../records/run';

/** A valid accepted run for store tests; `input` and other fields can be overridden. */
export const acceptedRun = (runId: string, overrides: Partial<Run> = {}): Run =>
  RunSchema.parse({
    runId,
    capabilityId: 'c',
    connectorId: 'x',
    runtimeClass: 'direct',
    status: 'accepted',
    input: {},
    credentialRef: ANONYMOUS_CREDENTIAL_REF,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });

/** What a store call failed with (its IntegrationError code and retryability), or null if it succeeded. */
export async function failureOf(promise: Promise<unknown>): Promise<{ code: string; retryable: boolean } | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (!isIntegrationError(error)) throw error;
    return { code: error.code, retryable: error.retryable };
  }
}
