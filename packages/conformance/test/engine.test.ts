import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Runtime } from '@integration/contracts';
import { createDirectRuntime } from '@integration/direct-runtime';
import { runConformance, failedChecks, SUITE_IDS, type ConformanceReport, type RuntimeDeps } from '../src';
import { mutate, sampleConnector, SAMPLE_TOKEN } from './support/sample-connector';

const failed = (report: ConformanceReport) => failedChecks(report).map(({ suite, check }) => `${suite}/${check.id}`);
const messageOf = (report: ConformanceReport, id: string) => failedChecks(report).find((f) => f.check.id === id)?.check.message ?? '';

describe('runConformance on a valid connector', () => {
  it('passes every suite, in the fixed order, with no failing check', async () => {
    const report = await runConformance(sampleConnector());
    expect(failed(report)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(report.suites.map((s) => s.id)).toEqual([...SUITE_IDS]);
    expect(report.suites.every((s) => s.status === 'passed')).toBe(true);
    expect(report.connectorId).toBe('sample');
    const ids = report.suites.flatMap((s) => s.checks.map((c) => c.id));
    for (const id of ['sample.item.fetch#1.deterministic', 'sample.session.turn#1.deterministic', 'sample.item.fetch#1.canary.logs', 'sample.item.fetch#1.error_cause.errors', 'sample.item.fetch#1.error_aggregate.errors', 'sample.item.created.verification', 'sample.item.fetch.scopes_covered']) {
      expect(ids).toContain(id);
    }
  });

  it('reports progress and honours a suite selection', async () => {
    const events: string[] = [];
    const report = await runConformance(sampleConnector(), { suites: ['manifest_contract'], onProgress: (e) => events.push(e.type) });
    expect(report.suites.filter((s) => s.status !== 'skipped').map((s) => s.id)).toEqual(['manifest_contract']);
    expect(events).toEqual(['connector.started', 'suite.started', 'suite.finished', 'connector.finished']);
  });
});

describe('a deliberately broken connector fails exactly the right check', () => {
  it('missing scope coverage → manifest_contract', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.auth.requestedScopes = ['sample:read'];
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['manifest_contract/sample.item.create.scopes_covered']);
    expect(messageOf(report, 'sample.item.create.scopes_covered')).toContain('does not cover sample.item.create');
    expect(messageOf(report, 'sample.item.create.scopes_covered')).toContain('sample:write');
    expect(report.status).toBe('failed');
  });

  it('colliding action names → consumer_surface_projection', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      const op = d.operations.find((o) => o.id === 'sample.item.create')!;
      op.consumerSurface = { mode: 'common', normalizedId: 'item.create', actionName: 'sample_item_fetch' };
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['consumer_surface_projection/consumer_surface.action_names_unique']);
    expect(messageOf(report, 'consumer_surface.action_names_unique')).toContain('sample_item_fetch');
  });

  it('placeholder schema without a passthrough policy → capability_contracts', async () => {
    const placeholder = z.any();
    const broken = mutate(sampleConnector(), (d) => {
      d.operations.find((o) => o.id === 'sample.item.create')!.output = placeholder;
      d.capabilities.find((c) => c.id === 'sample.item.create')!.outputSchema = placeholder;
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['capability_contracts/sample.item.create.output.schema']);
    expect(messageOf(report, 'sample.item.create.output.schema')).toContain('placeholder schema');
    expect(messageOf(report, 'sample.item.create.output.schema')).toContain("'passthrough' with a justification");
  });

  it('a declared, justified passthrough placeholder is accepted', async () => {
    const placeholder = z.any();
    const justified = mutate(sampleConnector(), (d) => {
      const op = d.operations.find((o) => o.id === 'sample.item.create')!;
      op.output = placeholder;
      op.consumerSurface = { mode: 'connector_local', reason: 'raw provider payload' };
      op.schemaPolicy = { input: 'defined', output: 'passthrough', justification: 'the provider returns arbitrary JSON' };
      d.capabilities.find((c) => c.id === 'sample.item.create')!.outputSchema = placeholder;
    });
    expect(failed(await runConformance(justified))).toEqual([]);
  });

  it('nondeterministic fixture → deterministic_fixtures', async () => {
    let calls = 0;
    const broken = mutate(sampleConnector(), (d) => {
      const cap = d.capabilities.find((c) => c.id === 'sample.item.create')!;
      const op = d.operations.find((o) => o.id === 'sample.item.create')!;
      op.handler = cap.handler = async (input, ctx) => {
        calls += 1;
        ctx.emit({ type: 'connector.sample.item.created', payload: {} });
        await ctx.artifact({ type: 'tool_output', slug: 'item_create', content: { title: (input as { title: string }).title } });
        return { id: calls, title: (input as { title: string }).title, owner: ctx.lease.subject };
      };
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.create#1.deterministic']);
    expect(messageOf(report, 'sample.item.create#1.deterministic')).toContain('output.id');
  });

  const leaking = (leak: (token: string, ctx: Parameters<NonNullable<ReturnType<typeof sampleConnector>['capabilities'][0]['handler']>>[1]) => Record<string, unknown>) =>
    mutate(sampleConnector(), (d) => {
      const cap = d.capabilities.find((c) => c.id === 'sample.item.create')!;
      const op = d.operations.find((o) => o.id === 'sample.item.create')!;
      const original = cap.handler!;
      op.handler = cap.handler = async (input, ctx) => ({ ...((await original(input, ctx)) as Record<string, unknown>), ...leak(ctx.lease.payload.access_token!, ctx) });
    });

  it('leaking canary → secret_redaction (the fixture token itself is not a canary, so nothing else fails)', async () => {
    const report = await runConformance(leaking((token) => ({ title: `token ${token}` })));
    expect(failed(report)).toEqual(['secret_redaction/sample.item.create#1.canary.output']);
    expect(messageOf(report, 'sample.item.create#1.canary.output')).toContain('leaked into the output (plain)');
    // The report never carries the leaked value (fixture token or canary).
    expect(JSON.stringify(report)).not.toContain(SAMPLE_TOKEN);
    expect(JSON.stringify(report)).not.toMatch(/canary_accesstoken_[0-9a-f]{32}/);
  });

  it('a hex-encoded canary in an event (a spelling value redaction does not know) → secret_redaction events', async () => {
    const report = await runConformance(
      leaking((token, ctx) => {
        ctx.emit({ type: 'connector.sample.debug', payload: { fingerprint: Buffer.from(`user:${token}`).toString('hex') } });
        return {};
      }),
    );
    expect(failed(report)).toEqual(['secret_redaction/sample.item.create#1.canary.events']);
    expect(messageOf(report, 'sample.item.create#1.canary.events')).toContain('(hex)');
  });

  it('a base64-encoded canary in an event is redacted by value, so nothing fails', async () => {
    const report = await runConformance(
      leaking((token, ctx) => {
        ctx.emit({ type: 'connector.sample.debug', payload: { basic: Buffer.from(`user:${token}`).toString('base64') } });
        return {};
      }),
    );
    expect(failed(report)).toEqual([]);
  });

  it('a short lease secret (1–5 characters) echoed as a word into the output → secret_redaction output (short)', async () => {
    const report = await runConformance(
      mutate(sampleConnector(), (d) => {
        const cap = d.capabilities.find((c) => c.id === 'sample.item.create')!;
        const original = cap.handler!;
        // Only the short values: the long canary stays out, so the finding is the whole-token one.
        cap.handler = async (input, ctx) => ({ ...((await original(input, ctx)) as Record<string, unknown>), title: `pins ${Object.values(ctx.lease.payload).filter((v) => v.length < 6).join(', ')}` });
      }),
      { suites: ['secret_redaction'] },
    );
    expect(failed(report)).toEqual(['secret_redaction/sample.item.create#1.canary.output']);
    expect(messageOf(report, 'sample.item.create#1.canary.output')).toContain('leaked into the output (short)');
    const run = report.suites.find((s) => s.id === 'secret_redaction')!.checks.find((c) => c.id === 'sample.item.create#1.canary.run')!;
    expect(run.message).toContain('5 short ones (1, 2, 3, 4, 5 characters)');
  });

  it('a hex-encoded canary in a log line → secret_redaction logs', async () => {
    const report = await runConformance(
      leaking((token, ctx) => {
        ctx.logger.info({ fingerprint: Buffer.from(token).toString('hex') }, 'auth');
        return {};
      }),
    );
    expect(failed(report)).toEqual(['secret_redaction/sample.item.create#1.canary.logs']);
  });

  /** The real direct runtime, except that it puts back into the returned error what `keep` copied of the raw handler error. */
  const forgetful = (keep: (thrown: Error) => Error | undefined) => ({
    direct: (deps: RuntimeDeps): Runtime => {
      const real = createDirectRuntime({ artifactPayloads: deps.artifactPayloads });
      return {
        runtimeClass: 'direct',
        async execute(capability, input, context) {
          let kept: Error | undefined;
          const handler = capability.handler!;
          const watched = async (i: unknown, c: Parameters<typeof handler>[1]) => {
            try {
              return await handler(i, c);
            } catch (error) {
              kept = keep(error as Error);
              throw error;
            }
          };
          const result = await real.execute({ ...capability, handler: watched }, input, context);
          if (result.status === 'failed' && kept) Object.defineProperty(result.error, 'cause', { value: kept, configurable: true });
          return result;
        },
      };
    },
  });

  it('a runtime that scrubs the error but not its cause chain → secret_redaction error_cause errors', async () => {
    const report = await runConformance(sampleConnector(), {
      runtimes: forgetful((e) => {
        const deep = (e.cause as Error | undefined)?.cause as Error | undefined;
        return deep ? new Error('upstream request failed', { cause: new Error(deep.message) }) : undefined;
      }),
    });
    expect(failed(report)).toEqual(['secret_redaction/sample.item.fetch#1.error_cause.errors']);
    expect(messageOf(report, 'sample.item.fetch#1.error_cause.errors')).toMatch(/cause chain leaked into errors \((plain, short|short, plain)\)/);
    expect(JSON.stringify(report)).not.toMatch(/canary_accesstoken_[0-9a-f]{32}/);
  });

  it("a runtime that scrubs the cause chain but not an AggregateError's errors → secret_redaction error_aggregate errors", async () => {
    const report = await runConformance(sampleConnector(), {
      runtimes: forgetful((e) => (e.cause instanceof AggregateError ? new AggregateError(e.cause.errors.map((inner: Error) => new Error(inner.message)), e.cause.message) : undefined)),
    });
    expect(failed(report)).toEqual(['secret_redaction/sample.item.fetch#1.error_aggregate.errors']);
    expect(messageOf(report, 'sample.item.fetch#1.error_aggregate.errors')).toContain('aggregated errors leaked into errors');
  });

  it('webhook trigger without verification → ingress_definition_discipline', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.triggers.find((t) => t.id === 'sample.item.created')!.verification = null;
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['ingress_definition_discipline/sample.item.created.verification']);
    expect(messageOf(report, 'sample.item.created.verification')).toContain('declares no signature verification');
  });

  it('no fixtures → deterministic_fixtures (and the redaction suite is skipped)', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.conformance = null;
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['deterministic_fixtures/fixtures.present']);
    expect(messageOf(report, 'fixtures.present')).toContain('declares no fixtures');
    expect(report.suites.find((s) => s.id === 'secret_redaction')!.status).toBe('skipped');
    const empty = await runConformance(mutate(sampleConnector(), (d) => void (d.conformance!.fixtures = [])));
    expect(failed(empty)).toEqual(['deterministic_fixtures/fixtures.present']);
  });

  it('unknown driver → runtime_class_fit (its fixtures are not executed)', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      const routing = { driver: 'warp-drive', provider: 'local_echo', options: {} };
      d.operations.find((o) => o.id === 'sample.session.turn')!.runtime = routing;
      d.capabilities.find((c) => c.id === 'sample.session.turn')!.runtime = routing;
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['runtime_class_fit/sample.session.turn.driver_known']);
    expect(messageOf(report, 'sample.session.turn.driver_known')).toContain('no driver "warp-drive"');
    const skipped = report.suites.find((s) => s.id === 'deterministic_fixtures')!.checks.find((c) => c.id === 'sample.session.turn#1.runtime_result');
    expect(skipped?.status).toBe('skipped');
  });

  it('a driver registered through options is known', async () => {
    const { inProcessDriver } = await import('@integration/session-runtime');
    const broken = mutate(sampleConnector(), (d) => {
      const routing = { driver: 'echo-kernel', provider: 'local_echo', options: {} };
      d.operations.find((o) => o.id === 'sample.session.turn')!.runtime = routing;
      d.capabilities.find((c) => c.id === 'sample.session.turn')!.runtime = routing;
    });
    const driver = { ...inProcessDriver(), id: 'echo-kernel' };
    const report = await runConformance(broken, { drivers: { session: { 'echo-kernel': driver } } });
    expect(failed(report)).toEqual([]);
  });
});

describe('robustness', () => {
  it('a suite that throws is reported as a failed <suite>.exception check', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      Object.defineProperty(d.capabilities[0]!, 'policy', { get: () => { throw new Error('boom'); } });
    });
    const report = await runConformance(broken);
    expect(failed(report)).toContain('policy_contract/policy_contract.exception');
  });

  it('a fixture setup that throws fails the fixture with the reason', async () => {
    const broken = mutate(sampleConnector(), (d) => {
      d.conformance = { fixtures: d.conformance!.fixtures.slice(0, 1), setup: async () => { throw new Error('fake server failed to start'); } };
    });
    const report = await runConformance(broken);
    expect(failed(report)).toEqual(['deterministic_fixtures/sample.item.fetch#1.runtime_result', 'secret_redaction/sample.item.fetch#1.canary.run']);
    expect(messageOf(report, 'sample.item.fetch#1.runtime_result')).toContain('fake server failed to start');
  });

  it('rejects a non-object with invalid_argument', async () => {
    await expect(runConformance(null as never)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
