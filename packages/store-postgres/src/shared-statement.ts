import { TurnBatcher } from '@integration/contracts';

/** Most rows one shared statement carries. */
const MAX_ROWS = 200;

/**
 * Autocommit calls of one event-loop turn share one statement (one round trip and one commit
 * instead of one each), and every caller reads its own part of the shared result. A statement
 * never holds one key twice: a second call for a key goes in the next one.
 */
export function sharedStatement<Row, Result>(run: (rows: Row[]) => Promise<Result>, keyOf: (row: Row) => string): TurnBatcher<Row, Result> {
  return new TurnBatcher<Row, Result>({
    maxBatch: MAX_ROWS,
    keyOf,
    runAlone: (row) => run([row]),
    runBatch: async (rows) => {
      const result = await run(rows);
      return rows.map(() => ({ ok: true as const, value: result }));
    },
  });
}
