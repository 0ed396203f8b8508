import type { ConnectorDefinition } from './define-connector';

export interface FixtureExpectation {
  output?: unknown;
  eventTypes?: string[];
  artifactTypes?: string[];
  artifactKeys?: string[];
}

/** One deterministic example run of a capability, executed by the conformance engine. */
export interface ConformanceFixture {
  name?: string;
  capabilityId: string;
  input: unknown;
  /** Lease material for the run (the engine adds canary secrets for the redaction suite). */
  lease?: { subject?: string; scopes?: string[]; payload?: Record<string, string> };
  extensions?: Record<string, unknown>;
  expect?: FixtureExpectation;
}

/** What a fixture environment provides: e.g. a connector pointed at a local provider server. */
export interface FixtureEnvironment {
  connector?: ConnectorDefinition;
  teardown?: () => Promise<void>;
}

export interface ConformanceSpec {
  fixtures: ConformanceFixture[];
  /** Starts whatever the fixtures need (local servers, temp dirs) and returns how to reach it. */
  setup?: () => Promise<FixtureEnvironment>;
}
