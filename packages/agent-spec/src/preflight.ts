import { z } from 'zod';
import { integrationError } from '@integration/contracts';
import { planAgent, type AgentPlan } from './plan';
import type { AgentSpec } from './spec';
import type { Prompt } from './turn-types';

export interface Preflight {
  plan: AgentPlan;
  context: Record<string, unknown>;
  /** The first prompt a turn would send, without calling any model or control. */
  prompt: Prompt;
}

/**
 * Everything a turn checks before its first model call: the plan (unguarded unsafe_once
 * operations fail here), the context against the spec's context schema (`invalid_input`,
 * reason `invalid_context`), and the first prompt.
 */
export function preflightAgent(spec: AgentSpec, input: string, options: { context?: Record<string, unknown> } = {}): Preflight {
  const plan = planAgent(spec);
  const context = validateContext(spec, options.context ?? {});
  return {
    plan,
    context,
    prompt: {
      messages: [
        { role: 'system', content: spec.instructions },
        { role: 'user', content: input },
      ],
      operations: spec.operations.map((op) => ({
        name: op.name,
        description: op.description,
        idempotency: op.idempotency,
        parametersSchema: op.parametersSchema,
      })),
      result: spec.result
        ? { schema: z.toJSONSchema(spec.result.schema, { unrepresentable: 'any' }) as Record<string, unknown>, maxRepairs: spec.result.maxRepairs }
        : null,
      context,
    },
  };
}

function validateContext(spec: AgentSpec, context: Record<string, unknown>): Record<string, unknown> {
  if (!spec.contextSchema) return context;
  const parsed = spec.contextSchema.safeParse(context);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    throw integrationError('invalid_input', `the context does not match the agent's context schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      details: { reason: { kind: 'invalid_context', issues } },
    });
  }
  const value: unknown = parsed.data;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : context;
}
