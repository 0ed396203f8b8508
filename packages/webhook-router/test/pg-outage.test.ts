import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../dispatch/test/support/child';

const script = fileURLToPath(new URL('./scenarios/pg-outage.ts', import.meta.url));

describe('Postgres outage under the router (real child process, real Postgres behind a cut proxy)', () => {
  it('answers 503 while the store is gone and loses nothing when it returns', async () => {
    const result = await runScenario<Record<string, any>>(script);
    if (result.skipped) {
      if (process.env.CI === 'true') throw new Error(`Postgres required under CI: ${result.skipped}`);
      console.warn(`[pg-outage] skipped: ${result.skipped}`);
      return;
    }
    expect(result.beforeOutage).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(result.duringOutageNew).toMatchObject({ status: 503, body: { error: { code: 'store_unavailable' } } });
    expect(Number(result.duringOutageNew.retryAfter)).toBeGreaterThan(0);
    expect(result.duringOutageRepeat.status).toBe(503);
    expect(result.afterNew).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(result.afterRepeat).toMatchObject({ status: 200, body: { status: 'duplicate', runId: result.beforeOutage.body.runId } });
    expect(result.final).toEqual({ jobs: ['completed', 'completed'], runs: ['completed', 'completed'], completedAttemptsPerRun: [1, 1], acceptedTriggers: 2 });
  }, 120_000);
});
