import type { PolicySubject } from './input';

/** One rule's verdict. Reasons are human-readable, stable strings (see docs/policy.md). */
export type RuleOutcome =
  | { verdict: 'allow' }
  | { verdict: 'deny'; reasons: string[] }
  | { verdict: 'shed'; reasons: string[] };

/** An admission rule: a small pure function over the normalized subject. */
export interface PolicyRule {
  /** Stable snake_case name, e.g. `require_operation`. */
  readonly name: string;
  readonly description: string;
  evaluate(subject: PolicySubject): RuleOutcome;
}

export const allow: RuleOutcome = Object.freeze({ verdict: 'allow' }) as RuleOutcome;

/** Deny with the given reasons, or allow when there are none. */
export function denyIf(reasons: string[]): RuleOutcome {
  return reasons.length === 0 ? allow : { verdict: 'deny', reasons };
}

export const describeValue = (value: string | null): string => (value === null ? '<unset>' : value);
export const list = (values: readonly string[]): string => (values.length === 0 ? '<none>' : values.join(', '));
