import {
  ArtifactRefSchema,
  KnownSecrets,
  ManualClock,
  canonicalJson,
  checksumOf,
  isoAt,
  parseAt,
  redact,
  redactingLogger,
  scrubError,
  secretValuesOf,
  type ArtifactInput,
  type ArtifactRef,
  type ConnectorDefinition,
  type EventSpec,
  type HandlerContext,
  type Logger,
} from '@integration/contracts';

/**
 * A light stand-in for the direct runtime: parses input with the capability's input schema (like
 * the control plane), builds a HandlerContext, runs the handler, validates the output with the
 * output schema, and keeps the events, artifacts (with their bytes) and log lines. Like the
 * runtime, it redacts the lease's secret values (by value) from event payloads, artifact content
 * and metadata, log lines and the error, and returns the output exactly as the handler made it.
 * (test/platform.test.ts and test/fidelity.test.ts run the real platform.)
 */
export interface HarnessOptions {
  token?: string | null;
  subject?: string;
  extraSecrets?: Record<string, string>;
  signal?: AbortSignal;
  /** Skip the control plane's input parse, to exercise the handler's own pre-validation. */
  rawInput?: boolean;
  clock?: ManualClock;
}

export interface RecordedArtifact {
  input: ArtifactInput;
  ref: ArtifactRef;
  text: string;
}

export interface HarnessRun {
  output: unknown;
  error: unknown;
  events: EventSpec[];
  artifacts: RecordedArtifact[];
  logs: string[];
}

export async function runCapability(connector: ConnectorDefinition, capabilityId: string, input: unknown, options: HarnessOptions = {}): Promise<HarnessRun> {
  const capability = connector.capabilities.find((c) => c.id === capabilityId);
  if (!capability?.handler) throw new Error(`no handler for ${capabilityId}`);
  const parsedInput = options.rawInput ? input : parseAt(capability.inputSchema, input, `input for ${capabilityId}`, 'invalid_input');
  const clock = options.clock ?? new ManualClock();
  const runId = 'run_01JTESTHARNESS';
  const attemptId = `${runId}:1`;
  const events: EventSpec[] = [];
  const artifacts: RecordedArtifact[] = [];
  const logs: string[] = [];
  const payload: Record<string, string> = { ...(options.token === null ? {} : { access_token: options.token ?? 'gho_fake_github_token_0123456789abcdef' }), ...options.extraSecrets };
  const secrets = KnownSecrets.of(secretValuesOf(payload));
  const sink: Logger = {
    debug: (obj, msg) => logs.push(JSON.stringify([obj, msg])),
    info: (obj, msg) => logs.push(JSON.stringify([obj, msg])),
    warn: (obj, msg) => logs.push(JSON.stringify([obj, msg])),
    error: (obj, msg) => logs.push(JSON.stringify([obj, msg])),
    child: () => sink,
  };
  const logger = redactingLogger(sink, { secrets });
  const ctx: HandlerContext = {
    lease: {
      leaseId: 'lease_01JTEST',
      credentialRefId: 'cred_01JTEST',
      connectionId: 'conn_01JTEST',
      subject: options.subject ?? 'octocat',
      scopes: ['repo'],
      payload,
      issuedAt: isoAt(clock.now()),
      expiresAt: isoAt(clock.now() + 300_000),
    },
    runId,
    attempt: 1,
    attemptId,
    signal: options.signal ?? new AbortController().signal,
    logger,
    idempotencyKey: null,
    tenantId: 'tenant_test',
    actorId: 'actor_test',
    executionPolicy: { runtimeClass: 'direct', sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: [] } },
    target: null,
    extensions: {},
    clock,
    emit: (event) => {
      events.push({ ...event, payload: redact(event.payload, { secrets }) });
    },
    artifact: async (original) => {
      const artifact: ArtifactInput = { ...original, content: redact(original.content, { secrets }), ...(original.metadata ? { metadata: redact(original.metadata, { secrets }) } : {}) };
      const text = typeof artifact.content === 'string' ? artifact.content : artifact.content instanceof Uint8Array ? Buffer.from(artifact.content).toString('utf8') : canonicalJson(artifact.content);
      const checksum = checksumOf(text);
      const size = Buffer.byteLength(text);
      const ref = ArtifactRefSchema.parse({
        artifactId: `art_${artifacts.length + 1}`,
        runId,
        attemptId,
        artifactType: artifact.type,
        checksum,
        sizeBytes: size,
        payloadRef: { store: 'memory', key: `github/${runId}/${attemptId}/${artifact.slug}.json`, checksum, sizeBytes: size },
        metadata: artifact.metadata ?? {},
        createdAt: isoAt(clock.now()),
      });
      artifacts.push({ input: artifact, ref, text });
      return ref;
    },
  };
  try {
    const output = await capability.handler(parsedInput, ctx);
    const checked = capability.outputSchema ? parseAt(capability.outputSchema, output, `output of ${capabilityId}`, 'invalid_output') : output;
    return { output: checked, error: null, events, artifacts, logs };
  } catch (error) {
    return { output: null, error: scrubError(error, secrets), events, artifacts, logs };
  }
}
