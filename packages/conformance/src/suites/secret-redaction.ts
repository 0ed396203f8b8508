import { canaryPayload, findCanaries, textOf } from '../fixtures/canary';
import { executeFixture, withFixtureEnvironment, type FixtureExecution } from '../fixtures/execute';
import type { FixturePlan } from '../fixtures/plan';
import type { CheckResult, SuiteResult } from '../report';
import type { SuiteContext } from './context';
import { outcomeProblem } from './deterministic-fixtures';
import { check, fail, pass, stringsOf, suiteOf } from './support';

function places(execution: FixtureExecution): Array<[name: string, what: string, text: string]> {
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

/**
 * Each runnable fixture runs once more with fresh canary secrets in every lease field; no canary
 * (as is, hex, URL-encoded or base64) may appear in its output, events, artifacts (the references
 * and the bytes read back from the payload store), logs (a capturing Logger) or errors. The run
 * must complete, so the success path is what is judged.
 */
export async function secretRedaction(ctx: SuiteContext, plans: FixturePlan[]): Promise<SuiteResult> {
  const runnable = plans.filter((p) => !p.blocked);
  if (runnable.length === 0) return suiteOf('secret_redaction', [], plans.length === 0 ? 'no fixtures to run with canary secrets' : 'no runnable fixture');
  const checks: CheckResult[] = [];
  for (const plan of runnable) {
    const { label } = plan;
    const payload = canaryPayload(plan.fixture.lease?.payload, stringsOf(ctx.connector.auth?.leaseFields));
    const canaries = Object.values(payload);
    ctx.options.onProgress?.({ type: 'fixture.started', connectorId: typeof ctx.connector.id === 'string' ? ctx.connector.id : null, suite: 'secret_redaction', fixture: label, run: 1 });
    const { value: execution } = await withFixtureEnvironment(ctx.connector, (opened) =>
      executeFixture({ connector: ctx.connector, fixture: plan.fixture, capabilityId: plan.capability!.id, input: plan.input, runId: `${plan.runId}_canary`, connectorLabel: ctx.connectorLabel, leasePayload: payload, options: ctx.options }, opened),
      ctx.options.fixtureTimeoutMs,
    );
    const problem = outcomeProblem(execution);
    // The problem text itself may carry a canary: report only whether it did.
    const leakedInProblem = problem ? findCanaries(problem, canaries).length > 0 : false;
    checks.push(
      problem
        ? fail(`${label}.canary.run`, `did not complete with canary secrets in the lease (${leakedInProblem ? 'its error carries a canary' : problem}); the fixture environment must accept any credential so the success path can be judged`)
        : pass(`${label}.canary.run`, `completed with canaries in ${Object.keys(payload).join(', ')}`),
    );
    for (const [name, what, text] of places(execution)) {
      const forms = findCanaries(text, canaries);
      checks.push(check(`${label}.canary.${name}`, forms.length === 0, `no canary in ${what}`, `a lease canary secret leaked into ${what} (${forms.join(', ')})`, { forms }));
    }
  }
  return suiteOf('secret_redaction', checks);
}
