import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoAt } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import { createStreamRuntime, type StreamRuntime, type StreamSource } from '../src';
import { contextFor, streamCapability } from './helpers';

const counter: StreamSource<{ topic: string; limit: number }> = {
  async pull({ input, cursor }) {
    const after = cursor === null ? 0 : Number(cursor);
    const items = Array.from({ length: input.limit }, (_, i) => after + i + 1);
    return { output: { items }, cursor: String(after + input.limit) };
  },
};

type Step = { kind: 'pull'; limit: number; rejected: boolean } | { kind: 'restart' };

describe('stream cursors (property)', () => {
  it('across pulls, restarts and rejected attempts, accepted batches are exactly 1..N in order', async () => {
    const steps = fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('pull' as const), limit: fc.integer({ min: 1, max: 5 }), rejected: fc.boolean() }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
      ),
      { minLength: 1, maxLength: 25 },
    );
    await fc.assert(
      fc.asyncProperty(steps, async (plan: Step[]) => {
        const stores = memoryStores();
        const capability = streamCapability({ driver: 'in-process', provider: 'counter', options: { streamKeyFields: ['topic'] } });
        let runtime: StreamRuntime = createStreamRuntime({ stores, sources: { counter: counter as StreamSource } });
        const accepted: number[] = [];
        try {
          for (const step of plan) {
            if (step.kind === 'restart') {
              await runtime.close();
              runtime = createStreamRuntime({ stores, sources: { counter: counter as StreamSource } });
              continue;
            }
            const context = contextFor();
            const result = await runtime.execute(capability, { topic: 't', limit: step.limit }, context);
            expect(result.status).toBe('completed');
            if (result.status !== 'completed') return;
            const items = (result.output as { items: number[] }).items;
            if (step.rejected) {
              // The control plane refused the output: the attempt is recorded failed.
              const now = isoAt(Date.now());
              await stores.ledger.putAttempt({
                attemptId: context.attemptId, runId: context.runId, attempt: 1, status: 'failed', runtimeClass: 'stream', aggregatorId: 'control_plane', aggregatorEpoch: 1,
                credentialLeaseId: null, targetId: null, runtimeRefId: result.runtimeRefId, output: null, error: { code: 'invalid_output', message: 'x', retryable: false, details: {} }, createdAt: now, updatedAt: now,
              });
            } else {
              accepted.push(...items);
            }
          }
        } finally {
          await runtime.close();
        }
        expect(accepted).toEqual(Array.from({ length: accepted.length }, (_, i) => i + 1));
      }),
      { numRuns: 60 },
    );
  });
});
