import { describe, expect, it } from 'vitest';
import { definitionFromTrigger } from '@integration/ingress';
import { resolve } from 'node:path';
import { discoverConnectorPackages, failedChecks, loadConnectorPackage, runConformance, type ConformanceReport } from '../src';
import { mutate, sampleConnector } from './support/sample-connector';

const failed = (report: ConformanceReport) => failedChecks(report).map(({ suite, check }) => `${suite}/${check.id}`);
const only = (fixtureIndex: number) => (d: ReturnType<typeof sampleConnector>) => void (d.conformance!.fixtures = [d.conformance!.fixtures[fixtureIndex]!]);
const fixturesOnly = { suites: ['deterministic_fixtures', 'secret_redaction'] as const };

describe('manifest and capability checks on hand-built definitions', () => {
  it('capabilities that do not map back to their operations fail capabilities_derived', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.capabilities.find((c) => c.id === 'sample.item.fetch')!.runtimeClass = 'stream';
      d.runtimeFamilies = ['direct', 'session', 'stream'];
    });
    const report = await runConformance(broken, { suites: ['manifest_contract'] });
    expect(failed(report)).toEqual(['manifest_contract/manifest.capabilities_derived']);
    expect(failedChecks(report)[0]!.check.message).toContain('sample.item.fetch: runtimeClass stream but its operation says direct');
  });

  it('unsorted operations and a missing trigger secret are caught', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.operations.reverse();
      d.auth.secretNames = [];
    });
    const report = await runConformance(broken, { suites: ['manifest_contract'] });
    expect(failed(report)).toEqual(['manifest_contract/manifest.operations_sorted', 'manifest_contract/sample.item.created.secrets_covered']);
  });

  it('a policy that excludes its own runtime class or id can never run', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      const cap = d.capabilities.find((c) => c.id === 'sample.item.fetch')!;
      cap.policy = { ...cap.policy, runtime: { allowed: ['session'] }, allowedOperations: ['sample.other'] };
    });
    const report = await runConformance(broken, { suites: ['policy_contract'] });
    expect(failed(report)).toEqual(['policy_contract/sample.item.fetch.policy.runtime', 'policy_contract/sample.item.fetch.policy.allowed_operations']);
  });

  it('a session capability without a file scope fails the policy contract', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      const cap = d.capabilities.find((c) => c.id === 'sample.session.turn')!;
      cap.policy = { ...cap.policy, sandbox: { ...cap.policy.sandbox, fileScope: null } };
    });
    expect(failed(await runConformance(broken, { suites: ['policy_contract'] }))).toEqual(['policy_contract/sample.session.turn.policy.file_scope']);
  });

  it('a direct operation without a handler fails runtime-class fit', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.capabilities.find((c) => c.id === 'sample.item.create')!.handler = null;
      d.operations.find((o) => o.id === 'sample.item.create')!.handler = null;
    });
    expect(failed(await runConformance(broken, { suites: ['runtime_class_fit'] }))).toEqual(['runtime_class_fit/sample.item.create.handler']);
  });
});

describe('ingress definitions given by the host', () => {
  it('needs exactly one definition per trigger that agrees with it, and verification on webhooks', async () => {
    const connector = sampleConnector();
    const trigger = connector.triggers[0]!;
    const good = definitionFromTrigger('sample', trigger, { secret: 'whsec_test_secret' });
    expect(failed(await runConformance(connector, { suites: ['ingress_definition_discipline'], ingressDefinitions: [good] }))).toEqual([]);

    const twice = await runConformance(connector, { suites: ['ingress_definition_discipline'], ingressDefinitions: () => [good, good] });
    expect(failed(twice)).toEqual(['ingress_definition_discipline/sample.item.created.definition']);
    expect(failedChecks(twice)[0]!.check.message).toContain('exactly one ingress definition, has 2');

    const unsigned = definitionFromTrigger('sample', trigger, { verification: null, signalType: 'other.type' });
    expect(failed(await runConformance(connector, { suites: ['ingress_definition_discipline'], ingressDefinitions: [unsigned] }))).toEqual([
      'ingress_definition_discipline/sample.item.created.definition',
      'ingress_definition_discipline/sample.item.created.verification',
    ]);
    expect(failed(await runConformance(connector, { suites: ['ingress_definition_discipline'], ingressDefinitions: [] }))).toEqual([
      'ingress_definition_discipline/sample.item.created.definition',
    ]);
  });
});

describe('fixture checks', () => {
  it('a fixture for an unknown capability, or with input its schema rejects, is not executed', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.conformance!.fixtures = [
        { capabilityId: 'sample.nope', input: {} },
        { capabilityId: 'sample.item.fetch', input: { id: -1 } },
      ];
    });
    const report = await runConformance(broken, fixturesOnly);
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.nope#1.capability', 'deterministic_fixtures/sample.item.fetch#1.input_valid', 'deterministic_fixtures/fixtures.executed']);
    expect(report.suites.find((s) => s.id === 'secret_redaction')!.status).toBe('skipped');
  });

  it('a fixture for a trigger without a handler fails: nothing could run it', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      only(3)(d);
      d.capabilities.find((c) => c.id === 'sample.item.created')!.handler = null;
      d.triggers.find((t) => t.id === 'sample.item.created')!.handler = null;
    });
    const report = await runConformance(broken, { suites: ['runtime_class_fit', 'deterministic_fixtures', 'secret_redaction'] });
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.created#1.runtime_result', 'deterministic_fixtures/fixtures.executed']);
    expect(failedChecks(report)[0]!.check.message).toContain('without a handler');
  });

  it('input the zod schema coerces but the projected JSON Schema rejects fails input_json_schema', async () => {
    const { z } = await import('zod');
    const coercing = z.strictObject({ title: z.coerce.string() });
    const broken = mutate(sampleConnector(), (d) => {
      d.conformance!.fixtures = [{ capabilityId: 'sample.item.create', input: { title: 42 } }];
      d.operations.find((o) => o.id === 'sample.item.create')!.input = coercing;
      d.capabilities.find((c) => c.id === 'sample.item.create')!.inputSchema = coercing;
    });
    const report = await runConformance(broken, fixturesOnly);
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.create#1.input_json_schema']);
    expect(failedChecks(report)[0]!.check.message).toContain('/title must be string');
  });

  it('a lease secret value in the input or the extensions fails lease_only; field names alone do not', async () => {
    const lease = { payload: { access_token: 'k-123456789', pin: '4921' } };
    const broken = mutate(sampleConnector(), (d) => {
      d.conformance!.fixtures = [
        { capabilityId: 'sample.item.create', input: { title: 'x' }, lease, extensions: { apiKey: 'k-123456789' } },
        { capabilityId: 'sample.item.create', input: { title: 'pin 4921' }, lease },
        // Secret-sounding names with values the lease does not hold, and a short value inside a longer word.
        { capabilityId: 'sample.item.create', input: { title: 'item49215' }, lease, extensions: { pageToken: 'cursor-1', apiKey: 'public', password: 'none' } },
      ];
    });
    const report = await runConformance(broken, { suites: ['deterministic_fixtures'] });
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.create#1.lease_only', 'deterministic_fixtures/sample.item.create#2.lease_only']);
    expect(failedChecks(report)[0]!.check.message).toContain('also in the extensions');
    expect(failedChecks(report)[1]!.check.message).toContain('also in the input');
    expect(JSON.stringify(report)).not.toContain('k-123456789');
  });

  it('unmet expectations, output schema violations, no connector event and no artifact are each reported', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      only(1)(d);
      d.conformance!.fixtures[0] = { ...d.conformance!.fixtures[0]!, expect: { eventTypes: ['connector.sample.other'], artifactTypes: ['diff'], artifactKeys: ['k'], output: { id: 1 } } };
      const cap = d.capabilities.find((c) => c.id === 'sample.item.create')!;
      cap.handler = async () => ({ id: 'not a number' });
    });
    const report = await runConformance(broken, fixturesOnly);
    expect(failed(report)).toEqual([
      'deterministic_fixtures/sample.item.create#1.output_valid',
      'deterministic_fixtures/sample.item.create#1.connector_events',
      'deterministic_fixtures/sample.item.create#1.artifacts_present',
      'deterministic_fixtures/sample.item.create#1.expect.output',
      'deterministic_fixtures/sample.item.create#1.expect.event_types',
      'deterministic_fixtures/sample.item.create#1.expect.artifact_types',
      'deterministic_fixtures/sample.item.create#1.expect.artifact_keys',
    ]);
  });

  it('a handler failure fails runtime_result with its error code, without the lease secret', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      only(1)(d);
      d.capabilities.find((c) => c.id === 'sample.item.create')!.handler = async (_input, ctx) => {
        throw new Error(`upstream said no to ${ctx.lease.payload.access_token}`);
      };
    });
    const report = await runConformance(broken, fixturesOnly);
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.create#1.runtime_result', 'secret_redaction/sample.item.create#1.canary.run']);
    const message = failedChecks(report)[0]!.check.message;
    expect(message).toContain('connector_internal');
    expect(message).not.toContain('sample-fixture-token-0001');
  });

  it('a runtime that never returns, or a setup that never resolves, fails the fixture instead of hanging', async () => {
    const hanging = { runtimeClass: 'direct' as const, execute: () => new Promise<never>(() => {}) };
    const stuck = await runConformance(mutate(sampleConnector(), only(1)), { ...fixturesOnly, fixtureTimeoutMs: 200, runtimes: { direct: () => hanging } });
    expect(failed(stuck)).toEqual(['deterministic_fixtures/sample.item.create#1.runtime_result', 'secret_redaction/sample.item.create#1.canary.run']);
    expect(failedChecks(stuck)[0]!.check.message).toContain('runtime_timeout');

    const slowSetup = mutate(sampleConnector(), (d) => {
      only(1)(d);
      d.conformance!.setup = () => new Promise(() => {});
    });
    const report = await runConformance(slowSetup, { ...fixturesOnly, fixtureTimeoutMs: 200 });
    expect(failedChecks(report)[0]!.check.message).toContain('conformance.setup() did not finish within 200 ms');
  });

  it('a stream fixture on a fresh runtime each time: the durable cursor does not make runs differ', async () => {
    const pkg = discoverConnectorPackages(resolve(import.meta.dirname, '../../..')).find((p) => p.name === '@integration/connector-market-data')!;
    const [marketData] = await loadConnectorPackage(pkg);
    const report = await runConformance(marketData!, fixturesOnly);
    expect(failed(report)).toEqual([]);
  });
});
