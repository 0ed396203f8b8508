import { z } from 'zod';
import { isIntegrationError, type IntegrationError } from '@integration/contracts';
import { defineAction, defineControl, defineResource, type ControlDecisionInput, type ControlContext } from '../../src';

export const localTimeRuns: Array<Record<string, unknown>> = [];

export const localTime = defineAction({
  name: 'local_time',
  description: 'Returns the local time.',
  input: z.object({ city: z.string().default('Chicago') }),
  run: (args) => {
    localTimeRuns.push(args);
    return { city: args.city, time: '09:30' };
  },
});

export const readAccount = defineAction({
  name: 'read_account',
  description: 'Reads an account.',
  input: z.object({ accountId: z.string() }),
  run: (args) => ({ id: args.accountId, plan: 'pro' }),
});

export const updateAccount = defineAction({
  name: 'update_account',
  description: 'Updates an account.',
  input: z.object({ accountId: z.string(), plan: z.string() }),
  idempotency: 'unsafe_once',
  run: (args) => ({ id: args.accountId, plan: args.plan }),
});

export const accountResource = defineResource({ name: 'account_resource', actions: [readAccount, updateAccount] });

/** A control that records every call and answers with a fixed decision. */
export function recordingControl(name: string, decide: (ctx: ControlContext) => ControlDecisionInput = () => 'allow') {
  const calls: ControlContext[] = [];
  const control = defineControl({
    name,
    call: (ctx) => {
      calls.push(ctx);
      return decide(ctx);
    },
  });
  return { control, calls };
}

export const noSecrets = recordingControl('no_secrets', (ctx) =>
  ctx.boundary === 'input' && /sk-[a-z0-9]+/i.test(ctx.input) ? { decision: 'block', reason: 'secret in input' } : 'allow',
);
export const requireApproval = recordingControl('require_approval');
export const safeReply = recordingControl('safe_reply');

export const supportContext = z.object({ tenant_id: z.string() });
export const supportResult = z.object({ answer: z.string() });

export const supportRegistries = {
  actions: { local_time: localTime },
  resources: { account_resource: accountResource },
  controls: { no_secrets: noSecrets.control, require_approval: requireApproval.control, safe_reply: safeReply.control },
  contextSchemas: { support_context: supportContext },
  resultSchemas: { support_result: supportResult },
};

/** The seed's minimal YAML. */
export const minimalYaml = `version: 1
agent:
  id: time_agent
  model: openai:gpt-4o-mini
  instructions: Call local_time when asked for the time.
tools:
  actions:
    - local_time
`;

/** The seed's full support-agent YAML (Step 2). */
export const supportYaml = `version: 1
agent:
  id: support_agent
  model: openai:gpt-4o-mini
  instructions: Answer support questions tersely.
  context:
    ref: support_context
  result:
    ref: support_result
    max_repairs: 1
  memory:
    scope: session
    capture: conversation
    max_entries: 8
tools:
  actions:
    - local_time
  ash_resources:
    - ref: account_resource
      actions:
        - read_account
  browsers:
    - name: docs
      mode: read_only
      allow:
        - docs.example.com
controls:
  max_turns: 8
  timeout: 30000
  inputs:
    - control: no_secrets
  operations:
    - control: require_approval
      when:
        kind: action
        name: local_time
  outputs:
    - control: safe_reply
`;

/** The same support agent as a JSON document. */
export const supportJson = JSON.stringify({
  version: 1,
  agent: {
    id: 'support_agent',
    model: 'openai:gpt-4o-mini',
    instructions: 'Answer support questions tersely.',
    context: { ref: 'support_context' },
    result: { ref: 'support_result', max_repairs: 1 },
    memory: { scope: 'session', capture: 'conversation', max_entries: 8 },
  },
  tools: {
    actions: ['local_time'],
    ash_resources: [{ ref: 'account_resource', actions: ['read_account'] }],
    browsers: [{ name: 'docs', mode: 'read_only', allow: ['docs.example.com'] }],
  },
  controls: {
    max_turns: 8,
    timeout: 30000,
    inputs: [{ control: 'no_secrets' }],
    operations: [{ control: 'require_approval', when: { kind: 'action', name: 'local_time' } }],
    outputs: [{ control: 'safe_reply' }],
  },
});

/** Runs `fn` and returns the IntegrationError it throws (fails the test otherwise). */
export function errorOf(fn: () => unknown): IntegrationError {
  try {
    fn();
  } catch (error) {
    if (isIntegrationError(error)) return error;
    throw new Error(`expected an IntegrationError, got ${String(error)}`);
  }
  throw new Error('expected an error, but the call succeeded');
}

export async function asyncErrorOf(fn: () => Promise<unknown>): Promise<IntegrationError> {
  try {
    await fn();
  } catch (error) {
    if (isIntegrationError(error)) return error;
    throw new Error(`expected an IntegrationError, got ${String(error)}`);
  }
  throw new Error('expected an error, but the call succeeded');
}
