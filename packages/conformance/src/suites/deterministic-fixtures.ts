import { checksumOf, jsonSchemaOf, redact, type ConformanceFixture } from '@integration/contracts';
import { jsonSchemaViolation } from './json-schema';
import { isDeepStrictEqual } from 'node:util';
import { executeFixture, withFixtureEnvironment, type FixtureExecution } from '../fixtures/execute';
import { differences, fingerprintOf } from '../fixtures/normalize';
import type { FixturePlan } from '../fixtures/plan';
import type { CheckResult, SuiteResult } from '../report';
import type { SuiteContext } from './context';
import { check, describeError, fail, pass, suiteOf } from './support';

/** Why an execution did not complete, as a message (error code and message). */
export function outcomeProblem(execution: FixtureExecution): string | null {
  if (execution.thrown !== null) return `${execution.thrownAt} threw ${describeError(execution.thrown)}`;
  if (!execution.result) return 'the runtime returned no result';
  if (execution.result.status !== 'completed') return `the attempt failed: ${describeError(execution.result.error)}`;
  return null;
}

/**
 * `expect.eventTypes` lists either every event type of the attempt in order (the runtime's
 * `attempt.started` … `attempt.completed` included), or only its `connector.*` events in order.
 */
export function eventTypesMatch(expected: string[], actual: string[]): boolean {
  if (isDeepStrictEqual(expected, actual)) return true;
  return expected.every((t) => t.startsWith('connector.')) && isDeepStrictEqual(expected, actual.filter((t) => t.startsWith('connector.')));
}

function expectationChecks(label: string, expect: NonNullable<ConformanceFixture['expect']>, execution: FixtureExecution): CheckResult[] {
  const checks: CheckResult[] = [];
  const result = execution.result!;
  const output = result.status === 'completed' ? result.output : undefined;
  if (expect.output !== undefined) {
    const diff = differences(expect.output, output);
    checks.push(check(`${label}.expect.output`, isDeepStrictEqual(expect.output, output), 'output as expected', `output differs from expect.output at ${diff.join(', ')}`, { differences: diff }));
  }
  const types = result.events.map((e) => e.type);
  if (expect.eventTypes) {
    checks.push(
      check(`${label}.expect.event_types`, eventTypesMatch(expect.eventTypes, types), 'event types as expected', `event types [${types.join(', ')}] are not the expected [${expect.eventTypes.join(', ')}]`, { actual: types }),
    );
  }
  const artifactTypes = result.artifacts.map((a) => a.artifactType);
  if (expect.artifactTypes) {
    checks.push(
      check(
        `${label}.expect.artifact_types`,
        isDeepStrictEqual(expect.artifactTypes, artifactTypes),
        'artifact types as expected',
        `artifact types [${artifactTypes.join(', ')}] are not the expected [${expect.artifactTypes.join(', ')}]`,
        { actual: artifactTypes },
      ),
    );
  }
  const keys = result.artifacts.map((a) => a.payloadRef.key);
  if (expect.artifactKeys) {
    checks.push(check(`${label}.expect.artifact_keys`, isDeepStrictEqual(expect.artifactKeys, keys), 'artifact keys as expected', `artifact keys [${keys.join(', ')}] are not the expected [${expect.artifactKeys.join(', ')}]`, { actual: keys }));
  }
  return checks;
}

function runChecks(ctx: SuiteContext, plan: FixturePlan, first: FixtureExecution, second: FixtureExecution): CheckResult[] {
  const { label } = plan;
  const checks: CheckResult[] = [];
  const problems = [outcomeProblem(first), outcomeProblem(second)];
  if (problems[0] || problems[1]) {
    checks.push(fail(`${label}.runtime_result`, `fixture "${plan.fixture.name ?? label}" did not complete: ${problems.filter(Boolean).map((p, i) => `run ${i + 1}: ${p}`).join('; ')}`));
    return checks;
  }
  const result = first.result!;
  if (result.status !== 'completed') return checks;
  checks.push(pass(`${label}.runtime_result`, `completed twice on the ${plan.capability!.runtimeClass} runtime`));

  const outputSchema = plan.capability!.outputSchema;
  if (outputSchema) {
    const parsed = outputSchema.safeParse(result.output);
    checks.push(check(`${label}.output_valid`, parsed.success, 'output matches the output schema', `the output does not match ${plan.capability!.id}'s output schema: ${parsed.success ? '' : parsed.error.issues.map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`).join('; ')}`));
    // Consumers receive the parsed output (the control plane stores parsed.data): the JSON Schema they see must accept it.
    if (parsed.success && plan.capability!.consumerSurface?.mode === 'common') {
      const violation = jsonSchemaViolation(jsonSchemaOf(outputSchema, 'output'), parsed.data);
      checks.push(
        check(`${label}.output_json_schema`, violation === null, 'the projected output JSON Schema accepts the output', `the output JSON Schema consumers see rejects the parsed output: ${violation}`),
      );
    }
  }
  const connectorEvents = result.events.filter((e) => e.type.startsWith('connector.')).map((e) => e.type);
  checks.push(check(`${label}.connector_events`, connectorEvents.length > 0, `connector events: ${connectorEvents.join(', ')}`, `no connector.* event among [${result.events.map((e) => e.type).join(', ')}]; emit at least one (ctx.emit)`));
  checks.push(check(`${label}.artifacts_present`, result.artifacts.length > 0, `${result.artifacts.length} artifacts`, 'no artifact was recorded; record at least one (ctx.artifact)'));

  const broken = first.artifacts.filter(({ ref, bytes }) => !bytes || checksumOf(bytes) !== ref.checksum || bytes.byteLength !== ref.sizeBytes).map(({ ref }) => ref.payloadRef?.key ?? ref.artifactId);
  checks.push(check(`${label}.artifact_bytes`, broken.length === 0, 'artifact bytes stored with matching checksum and size', `artifact bytes missing from the payload store or not matching their reference: ${broken.join(', ')}`));

  const a = fingerprintOf(first);
  const b = fingerprintOf(second);
  const diff = differences(a, b);
  checks.push(
    check(
      `${label}.deterministic`,
      isDeepStrictEqual(a, b),
      'output, event types and artifact digests identical across two runs',
      `two runs of fixture "${plan.fixture.name ?? label}" differ at ${diff.join(', ')}`,
      { differences: diff },
    ),
  );
  if (plan.fixture.expect) checks.push(...expectationChecks(label, plan.fixture.expect, first));
  return checks;
}

/**
 * Each fixture runs twice, each time from scratch (fresh setup, runtime and payload store), with a
 * lease-only context; the runs must complete with identical output, event types and artifact
 * digests, at least one connector event and one artifact, and meet the fixture's expectations.
 */
export async function deterministicFixtures(ctx: SuiteContext, plans: FixturePlan[], planChecks: CheckResult[]): Promise<SuiteResult> {
  const checks: CheckResult[] = [...planChecks];
  for (const plan of plans) {
    if (plan.blocked) continue;
    const payload = plan.fixture.lease?.payload ?? {};
    const { value: runs, teardownError } = await withFixtureEnvironment(ctx.connector, async (opened) => {
      const done: FixtureExecution[] = [];
      for (let run = 1; run <= 2; run += 1) {
        ctx.options.onProgress?.({ type: 'fixture.started', connectorId: typeof ctx.connector.id === 'string' ? ctx.connector.id : null, suite: 'deterministic_fixtures', fixture: plan.label, run });
        done.push(await executeFixture({ connector: ctx.connector, fixture: plan.fixture, capabilityId: plan.capability!.id, input: plan.input, runId: plan.runId, connectorLabel: ctx.connectorLabel, leasePayload: payload, options: ctx.options }, opened));
      }
      return done;
    }, ctx.options.fixtureTimeoutMs);
    plan.baseline = runs[0]!;
    const secrets = Object.values(payload);
    const results = runChecks(ctx, plan, runs[0]!, runs[1]!);
    if (teardownError !== null) results.push(fail(`${plan.label}.teardown`, `the fixture environment's teardown threw: ${describeError(teardownError)}`));
    checks.push(...results.map((c) => redact(c, { secrets })));
  }
  // A connector must show at least one fixture actually running.
  if (plans.length > 0 && plans.every((p) => p.blocked)) checks.push(fail('fixtures.executed', 'no fixture could be executed (see the checks above); at least one must run'));
  return suiteOf('deterministic_fixtures', checks);
}
