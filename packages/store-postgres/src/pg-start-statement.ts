import { ledgerRules, type AttemptStart } from '@integration/contracts';
import { json } from './pg-context';
import { eventColumns } from './pg-events';

/**
 * `startAttempt` as one statement, for the clean case outside a transaction: plain INSERTs of the
 * run, the attempt and the events in data-modifying CTEs. Any taken key (run id, idempotency key,
 * attempt id, event position) fails the whole statement with 23505 and nothing is written; the
 * caller then runs the composed calls, which give the exact error. No stored text is compared.
 */
export const startStatement = (t: (table: string) => string): string =>
  `WITH r AS (
     INSERT INTO ${t('runs')} (run_id, capability_id, connector_id, status, tenant_id, idempotency_key, created_at, record, has_sealed_input)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $19)),
   a AS (INSERT INTO ${t('attempts')} (attempt_id, run_id, attempt, record) VALUES ($9, $10, $11, $12::json)),
   e AS (INSERT INTO ${t('events')} (run_id, attempt_key, attempt_id, attempt, seq, record)
     SELECT * FROM unnest($13::text[], $14::text[], $15::text[], $16::int[], $17::int[], $18::json[]))
   SELECT 1`;

export const startParams = ({ run, attempt, events }: AttemptStart): unknown[] => [
  ...ledgerRules.runIndexColumns(run),
  json(run),
  attempt.attemptId,
  attempt.runId,
  attempt.attempt,
  json(attempt),
  ...eventColumns(events),
  ledgerRules.hasSealedInput(run),
];

/**
 * Clean: the fence is the new attempt's own (so the fence check passes), the events are on that
 * attempt or run-level, and no position repeats (so no comparison is needed).
 */
export function startIsClean(s: AttemptStart): boolean {
  const positions = new Set(s.events.map(ledgerRules.eventPositionKey));
  return (
    s.fence.aggregatorId === s.attempt.aggregatorId &&
    s.fence.aggregatorEpoch === s.attempt.aggregatorEpoch &&
    positions.size === s.events.length &&
    s.events.every((e) => e.attemptId === null || e.attemptId === s.attempt.attemptId)
  );
}

export const isUniqueViolation = (error: unknown): boolean =>
  !!error && typeof error === 'object' && (error as { details?: { sqlState?: unknown } }).details?.sqlState === '23505';
