import { isoAt, type Runtime } from '@integration/contracts';
import { memoryStores } from '@integration/store-memory';
import {
  authBindingOf,
  createHarness,
  inProcessDriver,
  subprocessDriver,
  type Driver,
  type Harness,
  type HarnessOptions,
  type SessionInfo,
} from '@integration/session-runtime';
import { resolveCursor, type CursorStores } from './cursor-store';
import { isStreamSource, streamSessionType, type StreamSource } from './stream-source';
import { partitionKeyOf, streamKeyOf, tenantOf } from './stream-key';

export interface StreamRuntimeOptions extends HarnessOptions {
  /** Where cursors are checkpointed (default: a fresh in-memory tier, which does not survive a restart). */
  stores?: CursorStores;
  /** In-process stream sources by provider id (they win over a source the capability carries). */
  sources?: Record<string, StreamSource>;
}

export interface StreamRuntime extends Runtime {
  readonly runtimeClass: 'stream';
  sessions(): SessionInfo[];
  evict(streamId: string): Promise<boolean>;
  reset(): Promise<void>;
  close(): Promise<void>;
  readonly harness: Harness;
}

/** The built-in stream drivers: `in-process` (StreamSource) and `subprocess` (a CLI per pull). */
export function defaultStreamDrivers(sources: Record<string, StreamSource> = {}): Record<string, Driver> {
  const types = Object.fromEntries(Object.entries(sources).map(([id, source]) => [id, streamSessionType(source)]));
  return {
    'in-process': inProcessDriver({
      types,
      resolve: (_provider, options) => (isStreamSource(options.source) ? streamSessionType(options.source) : undefined),
    }),
    subprocess: subprocessDriver(),
  };
}

/**
 * The `stream` runtime: each invoke pulls the next batch after the stream's durable cursor. The
 * cursor is committed to the ingress checkpoint store after a successful pull, so a new runtime
 * over the same stores resumes where the last one stopped; a pull whose attempt later failed is
 * read again. Pulls of one stream are serialized in this process.
 */
export function createStreamRuntime(options: StreamRuntimeOptions = {}): StreamRuntime {
  const stores: CursorStores = options.stores ?? memoryStores();
  const harness = createHarness('stream', defaultStreamDrivers(options.sources), options);
  const keyOf = (plan: Parameters<Parameters<Harness['execute']>[3]['keyExtras']>[0]) => {
    const streamKey = streamKeyOf(plan.options, plan.input);
    return {
      tenantId: tenantOf(plan.context),
      connectorId: plan.capability.connectorId,
      triggerId: plan.capability.id,
      partitionKey: partitionKeyOf(plan.context, plan.provider, streamKey),
    };
  };
  const resolved = new WeakMap<object, { cursor: string | null }>();

  return {
    runtimeClass: 'stream',
    harness,
    sessions: () => harness.sessions(),
    evict: (streamId) => harness.evict(streamId),
    reset: () => harness.reset(),
    close: () => harness.reset(),
    execute(capability, input, context) {
      return harness.execute(capability, input, context, {
        lifecycle: 'stream',
        completedEvent: 'pull.completed',
        keyExtras: (plan) => ({ stream: streamKeyOf(plan.options, plan.input) }),
        async prepare(plan) {
          const key = keyOf(plan);
          const cursor = await resolveCursor(stores, key, context.attemptId);
          resolved.set(plan, { cursor: cursor.cursor });
          return {
            cursor: cursor.cursor,
            events: [{ type: 'stream.cursor.resumed', stream: 'control', payload: { cursor: cursor.cursor, from: cursor.source, revision: cursor.revision, partitionKey: key.partitionKey } }],
          };
        },
        async complete(plan, session, result) {
          const from = resolved.get(plan)?.cursor ?? null;
          const events = [];
          if (typeof result.checkpoint === 'string') {
            const stored = await stores.ingress.putCheckpoint({
              ...keyOf(plan),
              cursor: result.checkpoint,
              lastEventId: context.attemptId,
              lastEventTime: isoAt(context.clock.now()),
              revision: 1,
              metadata: { fromCursor: from, attemptId: context.attemptId, runId: context.runId, streamId: session.sessionId },
              updatedAt: isoAt(context.clock.now()),
            });
            events.push({ type: 'stream.checkpointed', stream: 'control' as const, payload: { cursor: stored.cursor, fromCursor: from, revision: stored.revision } });
          }
          const leaseField = typeof plan.options.leaseField === 'string' ? plan.options.leaseField : 'access_token';
          return { output: { ...result.output, authBinding: authBindingOf(plan.context.lease.payload, leaseField) }, events };
        },
      });
    },
  };
}
