import { ConnectorError, KnownSecrets, type Capability } from '@integration/contracts';
import { canaryPayload, findCanaries, shortCanaries, textOf } from '../fixtures/canary';
import { executeFixture, withFixtureEnvironment, type FixtureExecution, type OpenedEnvironment } from '../fixtures/execute';
import type { FixturePlan } from '../fixtures/plan';
import type { CheckResult, SuiteResult } from '../report';
import type { SuiteContext } from './context';
import { outcomeProblem } from './deterministic-fixtures';
import { check, fail, pass, skip, stringsOf, suiteOf } from './support';

type Place = [name: string, what: string, text: string];

function places(execution: FixtureExecution): Place[] {
  const result = execution.result;
  const bytes = [...execution.artifacts, ...execution.strays].map(({ bytes }) => (bytes ? textOf(bytes) : '')).join('\n');
  return [
    ['output', 'the output', result?.status === 'completed' ? textOf(result.output) : ''],
    ['events', 'the events', textOf(result?.events ?? [])],
    ['artifacts', 'the artifacts (references and stored bytes)', `${textOf(execution.artifacts.map((a) => a.ref))}\n${bytes}`],
    ['logs', 'the logs', textOf(execution.logs)],
    ['errors', 'errors', [result?.status === 'failed' ? textOf(result.error) : '', execution.thrown !== null ? textOf(execution.thrown) : ''].join('\n')],
  ];
}

const allText = (execution: FixtureExecution | undefined): string => (execution ? places(execution).map(([, , text]) => text).join('\n') : '');

/** A problem text for the report: canaries redacted, or hidden entirely when one is there in a form redaction cannot see. */
function shownProblem(problem: string, canaries: readonly string[]): string {
  const redacted = KnownSecrets.of(canaries).redactText(problem);
  return findCanaries(redacted, canaries).length > 0 ? 'its error carries a canary' : redacted;
}

const connectorIdOf = (ctx: SuiteContext) => (typeof ctx.connector.id === 'string' ? ctx.connector.id : null);

/** The handler errors injected on the error path: the secrets sit only deep inside the chain. */
const INJECTED = {
  /** A ConnectorError whose cause's cause carries every lease value. */
  error_cause: (values: string[]) =>
    new ConnectorError({
      class: 'unavailable',
      message: 'conformance: injected handler failure',
      upstream: {},
      cause: new Error('conformance: upstream request failed', { cause: new Error(`conformance: upstream rejected credentials ${values.join(' ')}`) }),
    }),
  /** A ConnectorError caused by an AggregateError whose errors carry every lease value. */
  error_aggregate: (values: string[]) =>
    new ConnectorError({
      class: 'unavailable',
      message: 'conformance: injected handler failure',
      upstream: {},
      cause: new AggregateError(
        [new Error(`conformance: primary upstream rejected ${values.join(' ')}`), new TypeError(`conformance: fallback upstream rejected ${values.join(' ')}`)],
        'conformance: every upstream failed',
      ),
    }),
} as const;
type Injected = keyof typeof INJECTED;

/** The capability with a handler that throws `kind` carrying the lease's values; `calls` counts the calls. */
function failingCapability(kind: Injected, calls: { count: number }) {
  return (capability: Capability): Capability => ({
    ...capability,
    handler: async (_input, handlerContext) => {
      calls.count += 1;
      throw INJECTED[kind](Object.values(handlerContext.lease.payload));
    },
  });
}

/**
 * The error path, on the first direct fixture whose canary run completed: its handler is replaced
 * by one that throws a handler error carrying the lease canaries (long and short) two `cause`s
 * deep, or inside an AggregateError's `errors`. None may reach the events, artifacts, logs, or the
 * error (message, stack, details, cause chain, aggregated errors) the runtime returns. A first run
 * with long canaries only shows the words the failure writes anyway (stack frames, codes), so the
 * short canaries are drawn from other words.
 */
async function errorPath(ctx: SuiteContext, plan: FixturePlan | undefined): Promise<CheckResult[]> {
  if (!plan) return [skip('handler_error.run', 'no direct fixture completed its canary run: a handler error is injected only into a direct handler that ran')];
  const { label } = plan;
  const leaseFields = stringsOf(ctx.connector.auth?.leaseFields);
  const run = async (opened: OpenedEnvironment, kind: Injected, payload: Record<string, string>, n: number) => {
    const calls = { count: 0 };
    ctx.options.onProgress?.({ type: 'fixture.started', connectorId: connectorIdOf(ctx), suite: 'secret_redaction', fixture: label, run: n });
    const execution = await executeFixture(
      {
        connector: ctx.connector,
        fixture: plan.fixture,
        capabilityId: plan.capability!.id,
        input: plan.input,
        runId: `${plan.runId}_${kind}`,
        connectorLabel: ctx.connectorLabel,
        leasePayload: payload,
        options: ctx.options,
        replaceCapability: failingCapability(kind, calls),
      },
      opened,
    );
    return { execution, called: calls.count > 0 };
  };
  const { value: checks } = await withFixtureEnvironment(
    ctx.connector,
    async (opened) => {
      const out: CheckResult[] = [];
      let n = 1;
      for (const kind of Object.keys(INJECTED) as Injected[]) {
        const dry = await run(opened, kind, canaryPayload(plan.fixture.lease?.payload, leaseFields), (n += 1));
        const payload = { ...canaryPayload(plan.fixture.lease?.payload, leaseFields), ...shortCanaries(`${allText(plan.baseline)}\n${allText(dry.execution)}`) };
        const canaries = Object.values(payload);
        const { execution, called } = await run(opened, kind, payload, (n += 1));
        const result = execution.result;
        if (!called) {
          out.push(fail(`${label}.${kind}.run`, `the ${plan.capability!.runtimeClass} runtime never called the handler that throws the injected error`));
          continue;
        }
        const failedAsResult = execution.thrown === null && result?.status === 'failed';
        out.push(
          check(
            `${label}.${kind}.run`,
            failedAsResult,
            `the injected handler error failed the attempt (${result?.status === 'failed' ? result.error.code : ''})`,
            `the injected handler error must come back as a failed result, not ${execution.thrown !== null ? `a throw (${shownProblem(outcomeProblem(execution) ?? '', canaries)})` : `status ${result?.status ?? 'none'}`}`,
          ),
        );
        for (const [name, what, text] of places(execution)) {
          if (name === 'output') continue;
          const forms = findCanaries(text, canaries);
          out.push(
            check(
              `${label}.${kind}.${name}`,
              forms.length === 0,
              `no canary from the handler error's ${kind === 'error_cause' ? 'cause chain' : 'aggregated errors'} in ${what}`,
              `a lease canary secret inside the handler error's ${kind === 'error_cause' ? 'cause chain' : 'aggregated errors'} leaked into ${what} (${forms.join(', ')})`,
              { forms },
            ),
          );
        }
      }
      return out;
    },
    ctx.options.fixtureTimeoutMs,
  );
  return checks;
}

/**
 * Each runnable fixture runs once more with fresh canary secrets in the lease: a long one in every
 * lease field, plus short ones of 1–5 characters (`canary_short_<n>`) that are matched as whole
 * tokens only, as value redaction matches them. No canary (long ones as is, hex, URL-encoded or
 * base64) may appear in its output, events, artifacts (the references and the bytes read back from
 * the payload store), logs (a capturing Logger) or errors. The run must complete, so the success
 * path is what is judged. Then the error path (see errorPath) runs once per connector.
 */
export async function secretRedaction(ctx: SuiteContext, plans: FixturePlan[]): Promise<SuiteResult> {
  const runnable = plans.filter((p) => !p.blocked);
  if (runnable.length === 0) return suiteOf('secret_redaction', [], plans.length === 0 ? 'no fixtures to run with canary secrets' : 'no runnable fixture');
  const checks: CheckResult[] = [];
  let errorPlan: FixturePlan | undefined;
  for (const plan of runnable) {
    const { label } = plan;
    const leaseFields = stringsOf(ctx.connector.auth?.leaseFields);
    ctx.options.onProgress?.({ type: 'fixture.started', connectorId: connectorIdOf(ctx), suite: 'secret_redaction', fixture: label, run: 1 });
    const { value: { execution, payload } } = await withFixtureEnvironment(
      ctx.connector,
      async (opened) => {
        // The short canaries are drawn from words the fixture never writes with its own lease.
        plan.baseline ??= await executeFixture({ connector: ctx.connector, fixture: plan.fixture, capabilityId: plan.capability!.id, input: plan.input, runId: plan.runId, connectorLabel: ctx.connectorLabel, leasePayload: plan.fixture.lease?.payload ?? {}, options: ctx.options }, opened);
        const payload = { ...canaryPayload(plan.fixture.lease?.payload, leaseFields), ...shortCanaries(`${JSON.stringify(plan.input ?? null)}\n${allText(plan.baseline)}`) };
        const canaryRun = await executeFixture({ connector: ctx.connector, fixture: plan.fixture, capabilityId: plan.capability!.id, input: plan.input, runId: `${plan.runId}_canary`, connectorLabel: ctx.connectorLabel, leasePayload: payload, options: ctx.options }, opened);
        return { execution: canaryRun, payload };
      },
      ctx.options.fixtureTimeoutMs,
    );
    const canaries = Object.values(payload);
    const problem = outcomeProblem(execution);
    const short = Object.keys(payload).filter((k) => k.startsWith('canary_short_'));
    checks.push(
      problem
        ? fail(`${label}.canary.run`, `did not complete with canary secrets in the lease (${shownProblem(problem, canaries)}); the fixture environment must accept any credential so the success path can be judged`)
        : pass(`${label}.canary.run`, `completed with long canaries in ${Object.keys(payload).filter((k) => !short.includes(k)).join(', ')} and ${short.length} short ones (${short.map((k) => payload[k]!.length).join(', ')} characters)`),
    );
    if (!problem && !errorPlan && plan.capability!.runtimeClass === 'direct') errorPlan = plan;
    for (const [name, what, text] of places(execution)) {
      const forms = findCanaries(text, canaries);
      checks.push(check(`${label}.canary.${name}`, forms.length === 0, `no canary in ${what}`, `a lease canary secret leaked into ${what} (${forms.join(', ')})`, { forms }));
    }
  }
  checks.push(...(await errorPath(ctx, errorPlan)));
  return suiteOf('secret_redaction', checks);
}
