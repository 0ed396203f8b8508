import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_CREDENTIAL_REF, AttemptSchema, EventSchema, RunSchema, ledgerRules, type Event } from '../src';

const ts = '2026-01-01T00:00:00.000Z';
const run = RunSchema.parse({ runId: 'run_1', capabilityId: 'c', connectorId: 'x', runtimeClass: 'direct', status: 'running', input: {}, credentialRef: ANONYMOUS_CREDENTIAL_REF, createdAt: ts, updatedAt: ts });
const attempt = AttemptSchema.parse({ attemptId: 'run_1:1', runId: 'run_1', attempt: 1, status: 'running', runtimeClass: 'direct', aggregatorId: 'agg', aggregatorEpoch: 2, createdAt: ts, updatedAt: ts });
const event = (seq: number, type = 'x'): Event => EventSchema.parse({ eventId: `evt_${seq}_${type}`, runId: 'run_1', attemptId: 'run_1:1', attempt: 1, seq, type, ts });

describe('ledgerRules', () => {
  it('plans a batch: the same event again is a no-op, a different one at a taken position is event_conflict', () => {
    const stored = new Map([[ledgerRules.eventPositionKey(event(0)), event(0)]]);
    const claim = (e: Event) => stored.get(ledgerRules.eventPositionKey(e)) ?? null;
    expect(ledgerRules.planEventBatch([event(0), event(1), event(1)], claim).map((e) => e.seq)).toEqual([1]);
    expect(() => ledgerRules.planEventBatch([event(1), event(0, 'other')], claim)).toThrow(expect.objectContaining({ code: 'event_conflict' }));
    // Within the batch too, and a different eventId alone is still the same event.
    expect(() => ledgerRules.planEventBatch([event(2), event(2, 'other')], claim)).toThrow(expect.objectContaining({ code: 'event_conflict', details: { runId: 'run_1', attemptId: 'run_1:1', seq: 2 } }));
    expect(ledgerRules.planEventBatch([event(0), { ...event(0), eventId: 'evt_other' }], claim)).toEqual([]);
  });

  it('fences the attempts of fresh events before any adopts a newer epoch', () => {
    expect(ledgerRules.fenceEventAttempts([event(1)], { aggregatorId: 'agg', aggregatorEpoch: 2 }, () => attempt)).toEqual([]);
    expect(ledgerRules.fenceEventAttempts([event(1)], { aggregatorId: 'new', aggregatorEpoch: 3 }, () => attempt)).toEqual([{ ...attempt, aggregatorId: 'new', aggregatorEpoch: 3 }]);
    expect(() => ledgerRules.fenceEventAttempts([event(1)], { aggregatorId: 'agg', aggregatorEpoch: 1 }, () => attempt)).toThrow(expect.objectContaining({ code: 'stale_aggregator_epoch' }));
    expect(() => ledgerRules.fenceEventAttempts([event(1)], { aggregatorId: 'agg', aggregatorEpoch: 2 }, () => null)).toThrow(expect.objectContaining({ code: 'unknown_attempt' }));
  });

  it('merges patches as JSON stores them, and an attempt adopts the fence', () => {
    const next = ledgerRules.patchedRun(run, run.runId, { status: 'completed', result: undefined, updatedAt: 'later' });
    const { result: _dropped, ...rest } = run;
    expect(next).toStrictEqual({ ...rest, status: 'completed', updatedAt: 'later' });
    expect('result' in next).toBe(false);
    expect(Object.keys(next)).toEqual(Object.keys(run).filter((k) => k !== 'result'));
    expect(() => ledgerRules.patchedRun(null, 'run_x', {})).toThrow(expect.objectContaining({ code: 'unknown_run', message: 'no run run_x' }));
    const patched = ledgerRules.patchedAttempt(attempt, attempt.attemptId, { status: 'completed', updatedAt: ts }, { aggregatorId: 'b', aggregatorEpoch: 3 });
    expect(patched).toMatchObject({ status: 'completed', aggregatorId: 'b', aggregatorEpoch: 3 });
    expect(() => ledgerRules.patchedAttempt(attempt, attempt.attemptId, { status: 'completed', updatedAt: ts }, { aggregatorId: 'b', aggregatorEpoch: 2 })).toThrow(
      expect.objectContaining({ code: 'aggregator_id_mismatch' }),
    );
  });

  it('names duplicates and the latest-attempt guard the same way on every tier', () => {
    expect(ledgerRules.duplicateRun(run, true)).toMatchObject({ code: 'duplicate_record', message: 'run run_1 already exists' });
    expect(ledgerRules.duplicateRun({ ...run, idempotencyKey: 'k' }, false)).toMatchObject({ code: 'duplicate_record', details: { capabilityId: 'c', idempotencyKey: 'k' } });
    expect(ledgerRules.duplicateAttempt('a')).toMatchObject({ code: 'duplicate_record', message: 'attempt a already exists' });
    expect(ledgerRules.supersededCompletion(2, 1)).toEqual({ applied: false, latestAttempt: 2 });
    expect(ledgerRules.supersededCompletion(1, 1)).toBeNull();
    expect(ledgerRules.supersededCompletion(null, 1)).toBeNull();
    expect(ledgerRules.idempotencyKeyOf({ idempotencyKey: '' })).toBeNull();
  });
});

describe('ledgerRules.planEventBatch, as a property', () => {
  // A reference planner: one map of every position seen, whatever the batch size.
  const reference = (events: Event[], stored: Map<string, Event>) => {
    const seen = new Map(stored);
    const fresh: Event[] = [];
    for (const e of events) {
      const key = ledgerRules.eventPositionKey(e);
      const held = seen.get(key);
      if (held) {
        if (!ledgerRules.sameEvent(held, e)) return 'event_conflict';
        continue;
      }
      seen.set(key, e);
      fresh.push(e);
    }
    return fresh;
  };
  const anEvent = fc
    .record({ run: fc.constantFrom('run_1', 'run_2'), attempt: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }), seq: fc.integer({ min: 0, max: 6 }), type: fc.constantFrom('a', 'b') })
    .map(({ run, attempt, seq, type }) =>
      EventSchema.parse({ eventId: `evt_${run}_${attempt}_${seq}_${type}`, runId: run, attemptId: attempt === null ? null : `${run}:${attempt}`, attempt, seq, type, ts }),
    );

  it('agrees with a reference planner on short and long batches', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 40 }), fc.array(anEvent, { maxLength: 6 }), (events, held) => {
        const stored = new Map(held.map((e) => [ledgerRules.eventPositionKey(e), e]));
        const expected = reference(events, stored);
        let actual: Event[] | string;
        try {
          actual = ledgerRules.planEventBatch(events, (e) => stored.get(ledgerRules.eventPositionKey(e)) ?? null);
        } catch (error) {
          actual = (error as { code: string }).code;
        }
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
