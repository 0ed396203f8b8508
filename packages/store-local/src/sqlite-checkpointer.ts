import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies committed WAL frames into the database file while writes flow.
 * Each round ends with an fsync of the database file, which on ext4 can delay a concurrent commit's
 * WAL fsync; rounds every 10 ms measured no better than every 100 ms, so rounds stay infrequent.
 */
const ACTIVE_INTERVAL_MS = 50;
/** How long it sleeps after a round that found nothing to copy (doubling up to this). */
const IDLE_INTERVAL_MS = 500;

const RUN = 0;
const STOP = 1;

/**
 * The checkpointer thread. Its own connection runs `wal_checkpoint(PASSIVE)`: it copies committed
 * frames from the WAL into the database file (fsyncing both under the store's `synchronous`
 * setting) without blocking the writer, and once it has caught up the next write transaction
 * rewinds the WAL. Committed data is already durable in the fsynced WAL, so running this elsewhere
 * changes when pages move, never what is durable. Plain CommonJS, evaluated as a worker script, so
 * it runs the same from sources and from the build.
 */
const workerSource = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const control = new Int32Array(workerData.control);
let db = null;
try {
  db = new Database(workerData.path, { timeout: 0 });
  db.pragma('synchronous = ' + workerData.synchronous);
  let sleep = workerData.activeMs;
  while (Atomics.load(control, 0) === ${RUN}) {
    let copied = false;
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)');
      copied = row.busy === 0 && row.log > 0 && row.checkpointed > 0;
    } catch {
      // A busy or failing file only postpones this round; the writer's autocheckpoint still bounds the WAL.
    }
    sleep = copied ? workerData.activeMs : Math.min(sleep * 2, workerData.idleMs);
    Atomics.wait(control, 0, ${RUN}, sleep);
  }
} finally {
  if (db) db.close();
}
`;

/** Publishes `{ event: 'started' | 'stopped', path }` when a file's checkpointer thread starts or stops. */
export const checkpointerChannel = diagnostics.channel('integration:store-local:checkpointer');

export interface CheckpointerOptions {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * Moves WAL checkpoints off the event loop: a worker thread with its own connection to the file.
 * Without it, the write that crosses `wal_autocheckpoint` pages copies the whole WAL into the
 * database file (and fsyncs it) inside that commit, stalling every request behind it.
 */
export class BackgroundCheckpointer {
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(options: CheckpointerOptions) {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        driverPath,
        path: options.path,
        synchronous: options.synchronous,
        control: this.control.buffer,
        activeMs: ACTIVE_INTERVAL_MS,
        idleMs: IDLE_INTERVAL_MS,
      },
    });
    // Never keeps a process alive; a crashed checkpointer leaves the writer's autocheckpoint in charge.
    this.worker.unref();
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.once('error', () => resolve());
    }).then(() => {
      if (checkpointerChannel.hasSubscribers) checkpointerChannel.publish({ event: 'stopped', path: options.path });
    });
    if (checkpointerChannel.hasSubscribers) checkpointerChannel.publish({ event: 'started', path: options.path });
  }

  /** Asks the thread to finish its round and close its connection; resolves once it has exited. */
  stop(): Promise<void> {
    // Referenced again so that awaiting the exit keeps the event loop (and the closing process) alive.
    this.worker.ref();
    Atomics.store(this.control, 0, STOP);
    Atomics.notify(this.control, 0);
    return this.exited;
  }
}
