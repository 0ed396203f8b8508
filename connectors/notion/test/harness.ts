import {
  canonicalJson,
  checksumOf,
  KnownSecrets,
  ManualClock,
  redact,
  redactingLogger,
  scrubError,
  secretValuesOf,
  SandboxSchema,
  type ArtifactInput,
  type ArtifactRef,
  type Capability,
  type ConnectorDefinition,
  type EventSpec,
  type HandlerContext,
  type Logger,
} from '@integration/contracts';

export interface RecordedArtifact {
  input: ArtifactInput;
  text: string;
  ref: ArtifactRef;
}

export interface HarnessRun {
  status: 'completed' | 'failed';
  output?: unknown;
  error?: unknown;
  events: EventSpec[];
  artifacts: RecordedArtifact[];
  logs: unknown[];
}

export function capabilityOf(connector: ConnectorDefinition, id: string): Capability {
  const capability = connector.capabilities.find((c) => c.id === id);
  if (!capability) throw new Error(`no capability ${id}`);
  return capability;
}

/** What the direct runtime redacts durable copies with: every string of the lease payload. */
export const harnessSecrets = (token: string | null) => KnownSecrets.of(secretValuesOf(token === null ? {} : { access_token: token }));

/**
 * A HandlerContext like the direct runtime's: event payloads, artifact content and metadata and log
 * lines are redacted of the lease's secret values (by value) before they reach `sink`.
 */
export function harnessContext(token: string | null, sink: { events: EventSpec[]; artifacts: RecordedArtifact[]; logs: unknown[] }, signal?: AbortSignal): HandlerContext {
  const clock = new ManualClock(Date.parse('2026-01-15T12:00:00.000Z'));
  const runId = 'run_01HARNESS';
  const secrets = harnessSecrets(token);
  const base: Logger = {
    debug: (obj, msg) => void sink.logs.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => void sink.logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void sink.logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void sink.logs.push({ level: 'error', obj, msg }),
    child: () => base,
  };
  const logger = redactingLogger(base, { secrets });
  return {
    lease: {
      leaseId: 'lease-harness',
      credentialRefId: 'cred_harness',
      connectionId: 'conn_harness',
      subject: 'notion-bot',
      scopes: [],
      payload: token === null ? {} : { access_token: token },
      issuedAt: '2026-01-15T12:00:00.000Z',
      expiresAt: '2026-01-15T12:05:00.000Z',
    },
    runId,
    attempt: 1,
    attemptId: `${runId}:1`,
    signal: signal ?? new AbortController().signal,
    logger,
    idempotencyKey: null,
    tenantId: 'tenant_1',
    actorId: 'actor_1',
    executionPolicy: { runtimeClass: 'direct', sandbox: SandboxSchema.parse({}) },
    target: null,
    extensions: {},
    clock,
    emit: (event) => void sink.events.push({ ...event, payload: redact(event.payload, { secrets }) }),
    artifact: async (original) => {
      const input: ArtifactInput = { ...original, content: redact(original.content, { secrets }), ...(original.metadata ? { metadata: redact(original.metadata, { secrets }) } : {}) };
      const text = typeof input.content === 'string' ? input.content : input.content instanceof Uint8Array ? Buffer.from(input.content).toString('utf8') : canonicalJson(input.content);
      const bytes = Buffer.from(text, 'utf8');
      const checksum = checksumOf(bytes);
      const key = `notion/${runId}/${runId}:1/${input.slug}`;
      const ref: ArtifactRef = {
        artifactId: `art_${sink.artifacts.length + 1}`,
        runId,
        attemptId: `${runId}:1`,
        artifactType: input.type,
        transportMode: 'object_store',
        checksum,
        sizeBytes: bytes.byteLength,
        payloadRef: { store: 'memory', key, ttlS: 3600, accessControl: 'run_scoped', checksum, sizeBytes: bytes.byteLength },
        retentionClass: 'connector_review',
        redactionStatus: 'clear',
        metadata: input.metadata ?? {},
        createdAt: '2026-01-15T12:00:00.000Z',
      };
      sink.artifacts.push({ input, text, ref });
      return ref;
    },
  };
}

/**
 * A light stand-in for the direct runtime: parses input with the capability's input schema, runs
 * the handler with a HandlerContext, validates the output with its output schema. Like the runtime,
 * the output is returned exactly and the error is scrubbed of the lease's secret values.
 * (test/platform.test.ts and test/fidelity.test.ts run the real platform.)
 */
export async function runCapability(
  connector: ConnectorDefinition,
  capabilityId: string,
  input: unknown,
  opts: { token: string | null; signal?: AbortSignal },
): Promise<HarnessRun> {
  const capability = capabilityOf(connector, capabilityId);
  const parsed = capability.inputSchema.parse(input);
  const sink = { events: [] as EventSpec[], artifacts: [] as RecordedArtifact[], logs: [] as unknown[] };
  const ctx = harnessContext(opts.token, sink, opts.signal);
  try {
    const output = await capability.handler!(parsed, ctx);
    const validated = capability.outputSchema!.parse(output);
    return { status: 'completed', output: validated, ...sink };
  } catch (error) {
    return { status: 'failed', error: scrubError(error, harnessSecrets(opts.token)), ...sink };
  }
}
