/** One dispatch worker process on Postgres (the crash test SIGKILLs some of these). */
import { createDispatchWorker } from '../../src/index';
import { controlPlaneFor } from '../support/harness';
import { openStores } from '../support/pg-child';

const schema = process.env.CRASH_SCHEMA!;
const workerId = process.env.CRASH_WORKER_ID!;
const stores = await openStores(schema);
const worker = createDispatchWorker({
  stores,
  executor: controlPlaneFor(stores),
  workerId,
  concurrency: Number(process.env.CRASH_CONCURRENCY ?? 8),
  prefetch: 4,
  leaseMs: 1_500,
  heartbeatMs: 300,
  pollIntervalMs: 200,
  backoff: { baseMs: 10, capMs: 50 },
  shutdownGraceMs: 5_000,
  handleSignals: ['SIGTERM'],
  onSignalStop: async () => {
    await stores.close();
    process.exit(0);
  },
});
worker.start();
process.send?.({ ready: workerId });
