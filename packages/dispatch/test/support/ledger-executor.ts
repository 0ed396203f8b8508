/**
 * A small, real run executor for tests until the control plane exists: it loads the run, assigns
 * attempt = max + 1 through the ledger (a concurrent second execution gets duplicate_record),
 * runs the trigger capability's handler and records the outcome in one transaction.
 */
import {
  ConflictError,
  IntegrationError,
  isIntegrationError,
  isoAt,
  newId,
  NotFoundError,
  silentLogger,
  systemClock,
  type Attempt,
  type Capability,
  type Clock,
  type Event,
  type HandlerContext,
  type Stores,
} from '@integration/contracts';

export interface LedgerExecutorOptions {
  stores: Stores;
  capabilities: { fetchCapability(id: string): Capability };
  clock?: Clock;
}

export function ledgerExecutor(options: LedgerExecutorOptions) {
  const { stores, capabilities } = options;
  const clock = options.clock ?? systemClock;

  function event(runId: string, attempt: number | null, seq: number, type: string, payload: Record<string, unknown> = {}): Event {
    const now = clock.now();
    return {
      eventId: newId('evt', now),
      schemaVersion: '1.0',
      runId,
      attemptId: attempt === null ? null : `${runId}:${attempt}`,
      attempt,
      seq,
      type,
      stream: 'control',
      level: type.endsWith('failed') ? 'error' : 'info',
      payload,
      payloadRef: null,
      trace: { traceId: null, spanId: null, correlationId: null, causationId: null },
      targetId: null,
      sessionId: null,
      runtimeRefId: null,
      ts: isoAt(now),
    };
  }

  return {
    async executeRun(runId: string, opts: { signal?: AbortSignal; tenantId?: string } = {}) {
      const { attempt, run, capability } = await stores.transaction(async (tx) => {
        const run = await tx.ledger.fetchRun(runId);
        if (!run) throw new NotFoundError('unknown_run', `no run ${runId}`);
        if (run.status === 'completed') throw new ConflictError('run_completed', `run ${runId} is completed`);
        if (run.status === 'denied') throw new ConflictError('run_denied', `run ${runId} was denied`);
        if (run.status === 'shed') throw new ConflictError('run_shed', `run ${runId} was shed`);
        const capability = capabilities.fetchCapability(run.capabilityId);
        const attempts = await tx.ledger.listAttempts(runId);
        const n = attempts.reduce((max, a) => Math.max(max, a.attempt), 0) + 1;
        const at = isoAt(clock.now());
        const attempt: Attempt = {
          attemptId: `${runId}:${n}`,
          runId,
          attempt: n,
          status: 'running',
          runtimeClass: run.runtimeClass,
          aggregatorId: 'control_plane',
          aggregatorEpoch: 1,
          credentialLeaseId: null,
          targetId: null,
          runtimeRefId: null,
          output: null,
          error: null,
          createdAt: at,
          updatedAt: at,
        };
        await tx.ledger.putAttempt(attempt);
        await tx.ledger.updateRun(runId, { status: 'running', updatedAt: at });
        await tx.ledger.appendEvents([event(runId, n, 0, 'run.started'), event(runId, n, 1, 'attempt.started')]);
        return { attempt, run, capability };
      });
      const fence = { aggregatorId: attempt.aggregatorId, aggregatorEpoch: attempt.aggregatorEpoch };
      const ctx = {
        lease: { leaseId: 'lease_anonymous', credentialRefId: run.credentialRef.id, connectionId: null, subject: 'anonymous', scopes: [], payload: {}, issuedAt: isoAt(clock.now()), expiresAt: isoAt(clock.now() + 300_000) },
        runId,
        attempt: attempt.attempt,
        attemptId: attempt.attemptId,
        signal: opts.signal ?? new AbortController().signal,
        logger: silentLogger,
        idempotencyKey: null,
        tenantId: run.tenantId,
        actorId: null,
        executionPolicy: {},
        target: null,
        extensions: {},
        clock,
        emit: () => {},
        artifact: async () => {
          throw new IntegrationError('runtime_failed', 'artifacts are not supported by the test executor');
        },
      } as unknown as HandlerContext;
      let output: unknown;
      let failure: IntegrationError | null = null;
      try {
        if (!capability.handler) throw new IntegrationError('runtime_failed', `trigger ${capability.id} has no handler`);
        const signal = ctx.signal;
        output = await new Promise((resolve, reject) => {
          const onAbort = () => reject(new IntegrationError('runtime_cancelled', 'the delivery was cancelled', { retryable: true }));
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          capability.handler!(run.input, ctx).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
        });
      } catch (error) {
        failure = isIntegrationError(error) ? error : new IntegrationError('runtime_failed', String((error as Error)?.message ?? error), { retryable: true });
      }
      const at = isoAt(clock.now());
      await stores.transaction(async (tx) => {
        if (failure) {
          const summary = { code: failure.code, message: failure.message, retryable: failure.retryable, details: failure.details };
          await tx.ledger.updateAttempt(attempt.attemptId, { status: 'failed', error: summary, updatedAt: at }, fence);
          await tx.ledger.appendEvents([event(runId, attempt.attempt, 2, 'attempt.failed', { code: failure.code }), event(runId, attempt.attempt, 3, 'run.failed', { code: failure.code })]);
          const current = await tx.ledger.fetchRun(runId);
          if (current?.status !== 'completed') await tx.ledger.updateRun(runId, { status: 'failed', error: summary, updatedAt: at });
        } else {
          await tx.ledger.updateAttempt(attempt.attemptId, { status: 'completed', output, updatedAt: at }, fence);
          await tx.ledger.appendEvents([event(runId, attempt.attempt, 2, 'attempt.completed'), event(runId, attempt.attempt, 3, 'run.completed')]);
          await tx.ledger.updateRun(runId, { status: 'completed', result: output, updatedAt: at });
        }
      });
      if (failure) throw failure;
      return { run: await stores.ledger.fetchRun(runId), attempt: await stores.ledger.fetchAttempt(attempt.attemptId), output };
    },
  };
}
