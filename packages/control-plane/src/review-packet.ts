import { z } from 'zod';
import {
  EvidenceRefSchema,
  parseAt,
  GovernanceRefSchema,
  NotFoundError,
  ReviewProjectionSchema,
  reviewPacketRef,
  subjectRef,
  type ArtifactRef,
  type Attempt,
  type Capability,
  type Connection,
  type ConnectorDefinition,
  type Event,
  type EvidenceRef,
  type GovernanceRef,
  type Install,
  type ReviewProjection,
  type Run,
  type SubjectRef,
  type TargetDescriptor,
  type TriggerRecord,
} from '@integration/contracts';
import type { ControlPlaneContext } from './context';

export type InstallSummary = Omit<Install, 'sealedState' | 'callbackTokenHash'>;

export interface CapabilitySummary {
  capabilityId: string;
  connectorId: string;
  kind: Capability['kind'];
  runtimeClass: Capability['runtimeClass'];
  transportProfile: string;
  name: string;
  displayName: string;
  description: string;
  requiredScopes: string[];
  runtime: Capability['runtime'];
  consumerSurface: Capability['consumerSurface'];
}

export interface ConnectorSummary {
  connectorId: string;
  displayName: string;
  description: string;
  category: string;
  tags: string[];
  maturity: string;
  publication: string;
  authType: string;
  runtimeFamilies: string[];
  capabilityIds: string[];
}

/** Everything that explains one run, read on demand and never stored. */
export interface ReviewPacket {
  run: Run;
  attempt: Attempt | null;
  attempts: Attempt[];
  events: Event[];
  artifacts: ArtifactRef[];
  triggers: TriggerRecord[];
  target: TargetDescriptor | null;
  connection: Connection | null;
  install: InstallSummary | null;
  capability: CapabilitySummary | null;
  connector: ConnectorSummary | null;
  metadata: ReviewProjection;
}

export function capabilitySummary(c: Capability): CapabilitySummary {
  return {
    capabilityId: c.id,
    connectorId: c.connectorId,
    kind: c.kind,
    runtimeClass: c.runtimeClass,
    transportProfile: c.transportProfile,
    name: c.name,
    displayName: c.displayName,
    description: c.description,
    requiredScopes: c.requiredScopes,
    runtime: c.runtime,
    consumerSurface: c.consumerSurface,
  };
}

export function connectorSummary(c: ConnectorDefinition): ConnectorSummary {
  return {
    connectorId: c.id,
    displayName: c.catalog.displayName,
    description: c.catalog.description,
    category: c.catalog.category,
    tags: c.catalog.tags,
    maturity: c.catalog.maturity,
    publication: c.catalog.publication,
    authType: c.auth.type,
    runtimeFamilies: c.runtimeFamilies,
    capabilityIds: c.capabilities.map((cap) => cap.id),
  };
}

function projection(
  packetRef: string,
  run: Run,
  selected: Attempt | null,
  parts: Pick<ReviewPacket, 'attempts' | 'events' | 'artifacts' | 'triggers' | 'target' | 'connection' | 'install'>,
): ReviewProjection {
  const subject: SubjectRef = subjectRef('run', run.runId);
  const evidence = (kind: EvidenceRef['kind'], id: string, metadata: Record<string, unknown>) =>
    EvidenceRefSchema.parse({ kind, id, packetRef, subject, metadata });
  const runEvidence = evidence('run', run.runId, { status: run.status });
  const eventEvidence = new Map<string, EvidenceRef>();
  const evidenceRefs: EvidenceRef[] = [
    runEvidence,
    ...parts.attempts.map((a) => evidence('attempt', a.attemptId, { attempt: a.attempt, runId: a.runId, status: a.status })),
    ...parts.events.map((e) => {
      const ref = evidence('event', e.eventId, { attemptId: e.attemptId, type: e.type });
      eventEvidence.set(e.eventId, ref);
      return ref;
    }),
    ...parts.artifacts.map((a) => evidence('artifact', a.artifactId, { attemptId: a.attemptId, artifactType: a.artifactType })),
    ...parts.triggers.map((t) => evidence('trigger', t.admissionId, { triggerId: t.triggerId, source: t.source, status: t.status })),
    ...(parts.target ? [evidence('target', parts.target.targetId, { capabilityId: parts.target.capabilityId, runtimeClass: parts.target.runtimeClass })] : []),
    ...(parts.connection
      ? [evidence('connection', parts.connection.connectionId, { connectorId: parts.connection.connectorId, state: parts.connection.state })]
      : []),
    ...(parts.install ? [evidence('install', parts.install.installId, { connectionId: parts.install.connectionId, state: parts.install.state })] : []),
  ];
  const governanceRefs: GovernanceRef[] = parts.events
    .filter((e) => e.type === 'audit.policy_denied' || e.type === 'audit.policy_shed')
    .map((e) =>
      GovernanceRefSchema.parse({
        kind: 'policy_decision',
        id: e.eventId,
        subject,
        evidence: [runEvidence, eventEvidence.get(e.eventId)],
        metadata: { status: e.type === 'audit.policy_denied' ? 'denied' : 'shed', eventType: e.type },
      }),
    );
  return ReviewProjectionSchema.parse({
    projection: 'operator.review_packet',
    packetRef,
    subject,
    selectedAttempt: selected ? subjectRef('attempt', selected.attemptId, { attempt: selected.attempt, runId: selected.runId }) : null,
    evidenceRefs,
    governanceRefs,
  });
}

export async function reviewPacket(ctx: ControlPlaneContext, runId: string, options: { attemptId?: string } = {}): Promise<ReviewPacket> {
  const { ledger, ingress, auth } = ctx.stores;
  const run = await ledger.fetchRun(parseAt(z.string().min(1), runId, 'runId'));
  if (!run) throw new NotFoundError('unknown_run', `no run ${runId}`, { details: { runId } });
  const { attemptId } = parseAt(z.strictObject({ attemptId: z.string().min(1).optional() }), options ?? {}, 'reviewPacket options');
  const [attempts, events, artifacts, triggers] = await Promise.all([
    ledger.listAttempts(run.runId),
    ledger.listEvents(run.runId),
    ledger.listArtifacts(run.runId),
    ingress.listRunTriggers(run.runId),
  ]);
  let selected: Attempt | null = attempts.at(-1) ?? null;
  if (attemptId !== undefined) {
    selected = attempts.find((a) => a.attemptId === attemptId) ?? null;
    if (!selected) throw new NotFoundError('unknown_attempt', `run ${run.runId} has no attempt ${attemptId}`, { details: { attemptId } });
  }
  const targetId = selected?.targetId ?? run.targetId;
  const target = targetId ? await ledger.fetchTarget(targetId) : null;
  const connectionId = run.credentialRef.connectionId;
  const connection = connectionId ? await auth.fetchConnection(connectionId) : null;
  const installId = connection?.installId ?? run.credentialRef.installId;
  const fullInstall = installId ? await auth.fetchInstall(installId) : null;
  const install = fullInstall ? (({ sealedState: _s, callbackTokenHash: _c, ...rest }) => rest)(fullInstall) : null;
  const capability = ctx.registry.findCapability(run.capabilityId);
  const connector = capability ? ctx.registry.connectors().find((c) => c.id === capability.connectorId) : undefined;
  const packetRef = reviewPacketRef(run.runId, attemptId ?? null);
  const parts = { attempts, events, artifacts, triggers, target, connection, install };
  return {
    run,
    attempt: selected,
    ...parts,
    capability: capability ? capabilitySummary(capability) : null,
    connector: connector ? connectorSummary(connector) : null,
    metadata: projection(packetRef, run, selected, parts),
  };
}
