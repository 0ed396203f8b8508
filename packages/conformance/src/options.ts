import type { ArtifactPayloadStore, Clock, ConformanceFixture, ConnectorDefinition, Runtime } from '@integration/contracts';
import type { IngressDefinition } from '@integration/ingress';
import type { Driver } from '@integration/session-runtime';
import type { StreamSource } from '@integration/stream-runtime';
import type { SuiteId } from './report';

/** What a runtime factory receives for one fixture execution. */
export interface RuntimeDeps {
  artifactPayloads: ArtifactPayloadStore;
  clock: Clock;
}

export type RuntimeFactory = (deps: RuntimeDeps) => Runtime;

/** Progress as the engine works (the CLI prints it to stderr). */
export type ConformanceProgress =
  | { type: 'connector.started'; target: string; connectorId: string | null }
  | { type: 'suite.started'; connectorId: string | null; suite: SuiteId }
  | { type: 'suite.finished'; connectorId: string | null; suite: SuiteId; status: 'passed' | 'failed' | 'skipped'; summary: string }
  | { type: 'fixture.started'; connectorId: string | null; suite: SuiteId; fixture: string; run: number }
  | { type: 'connector.finished'; target: string; connectorId: string | null; status: 'passed' | 'failed' };

export interface RunConformanceOptions {
  /** Report label for where the definition came from (default: `inline`). */
  target?: string;
  /** Replaces the connector's own `conformance.fixtures`. */
  fixtures?: ConformanceFixture[];
  /**
   * Extra session/stream drivers the host registers (by id). The built-in ids (`subprocess`,
   * `in-process`) are always known; runtime-class fit fails a driver that is in neither.
   */
  drivers?: { session?: Record<string, Driver>; stream?: Record<string, Driver> };
  /** In-process stream sources by provider id, registered on every stream runtime the engine builds. */
  streamSources?: Record<string, StreamSource>;
  /**
   * Builds the runtime for a class instead of the default (`createDirectRuntime`,
   * `createSessionRuntime`, `createStreamRuntime`). Called once per fixture execution.
   */
  runtimes?: { direct?: RuntimeFactory; session?: RuntimeFactory; stream?: RuntimeFactory };
  /**
   * The ingress definitions a host admits this connector's triggers with. Default: one
   * `definitionFromTrigger` per trigger (a placeholder secret fills declared verification).
   */
  ingressDefinitions?: IngressDefinition[] | ((connector: ConnectorDefinition) => IngressDefinition[]);
  /** Upper bound of one fixture execution (default 60 s; a capability's own timeout, if lower, wins). */
  fixtureTimeoutMs?: number;
  /** Time stamped on the report (default: now). */
  generatedAt?: Date;
  /** Run only these suites (the others are reported as skipped). */
  suites?: readonly SuiteId[];
  onProgress?: (event: ConformanceProgress) => void;
}
