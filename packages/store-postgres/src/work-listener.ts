import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * One dedicated connection per stores instance that LISTENs for dispatch work on the schema's
 * channel. Started by the first `waitForWork`; when it drops it is re-established by the next
 * one, and until then waiters simply wait for their timeout.
 */
export class WorkListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /**
   * The NOTIFY payload of this instance's own writes. Their waiters are woken in process once the
   * write commits, so the echo is skipped (an idle worker would otherwise claim twice per enqueue).
   */
  readonly origin = randomUUID();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  add(wake: () => void): void {
    this.waiters.add(wake);
  }

  delete(wake: () => void): void {
    this.waiters.delete(wake);
  }

  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Connects and LISTENs if not already; never throws (a failure only means no push wake-ups). */
  async ensure(): Promise<void> {
    if (this.closed || this.client) return;
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    const drop = () => {
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
    };
    client.on('error', drop);
    client.on('end', () => {
      if (this.client === client) this.client = null;
    });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== this.origin) this.wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    } catch {
      drop();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const client = this.client;
    this.client = null;
    if (this.connecting) await this.connecting.catch(() => undefined);
    if (client) await client.end().catch(() => undefined);
  }
}
