import { afterAll, describe, expect, it } from 'vitest';
import { postgresStores } from '../src';
import { tornReason } from '@integration/contracts/testing';
import { adminPool, dropSchema, fixture, freshSchema, killHard, pgProblem, pgUrl, spawnTs, waitForLines } from './support';

const problem = await pgProblem();
const admin = adminPool();
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(admin, schema);
  await admin.end();
});

describe.skipIf(problem !== null)('SIGKILL mid-stream on Postgres (real child processes)', () => {
  it('two writer processes on one schema are killed mid-transaction; reopening finds no torn run', async () => {
    const schema = freshSchema('kill');
    schemas.push(schema);
    const setup = postgresStores({ connectionString: pgUrl, schema });
    await setup.migrate();
    await setup.close();
    const writers = ['run_a', 'run_b'].map((prefix) => spawnTs(fixture('kill-writer.ts'), [pgUrl, schema, prefix]));
    try {
      await Promise.all(writers.map((w) => waitForLines(w, /^done \d+$/, 25)));
      await new Promise((r) => setTimeout(r, 23));
    } finally {
      await Promise.all(writers.map(killHard));
    }
    expect(writers.every((w) => w.signalCode === 'SIGKILL')).toBe(true);

    const stores = postgresStores({ connectionString: pgUrl, schema });
    try {
      const runs = await stores.ledger.listRuns();
      expect(runs.length).toBeGreaterThanOrEqual(50);
      const torn: Array<[string, string]> = [];
      for (const run of runs) {
        const reason = await tornReason(stores, run.runId);
        if (reason) torn.push([run.runId, reason]);
      }
      expect(torn).toEqual([]);
      for (const prefix of ['run_a', 'run_b']) {
        const mine = runs.filter((r) => r.runId.startsWith(prefix)).sort((a, b) => (a.runId < b.runId ? -1 : 1));
        expect(mine.length).toBeGreaterThanOrEqual(25);
        expect(mine.slice(0, -1).every((r) => r.status === 'completed')).toBe(true);
      }
      const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'kill-writer-%' AND state = 'idle in transaction'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await stores.close();
    }
  }, 120_000);
});
