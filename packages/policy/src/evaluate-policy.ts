import {
  parseAt,
  type AuditContext,
  type ExecutionPolicy,
  type PolicyDecision,
  type PolicyStatus,
} from '@integration/contracts';
import type { z } from 'zod';
import {
  PolicyCapabilitySchema,
  PolicyCredentialSchema,
  PolicyInputSchema,
  PolicyRequestSchema,
  subjectOf,
  type PolicyInput,
  type PolicySubject,
} from './input';
import type { PolicyRule, RuleOutcome } from './rule';
import { plainCredential, plainRequest } from './plain-input';
import { policyRules } from './rules';

export interface EvaluatePolicyOptions {
  /** The rules to run, in order; defaults to `policyRules`. */
  rules?: readonly PolicyRule[];
}

export interface RuleTrace {
  rule: string;
  outcome: RuleOutcome;
}

export interface PolicyExplanation {
  decision: PolicyDecision;
  /** Every rule's own outcome, in evaluation order. */
  trace: RuleTrace[];
}

/**
 * Evaluates every admission rule and returns the decision. Reasons are accumulated in
 * rule order and de-duplicated; any deny makes the decision `denied` (deny beats shed), otherwise any
 * shed makes it `shed`. Invalid input throws a ValidationError `invalid_argument`.
 */
export function evaluatePolicy(input: PolicyInput, options: EvaluatePolicyOptions = {}): PolicyDecision {
  return explainPolicy(input, options).decision;
}

/** Like `evaluatePolicy`, plus each rule's individual outcome (for review packets and debugging). */
export function explainPolicy(input: PolicyInput, options: EvaluatePolicyOptions = {}): PolicyExplanation {
  const subject = subjectOf(parseInput(input));
  const trace = (options.rules ?? policyRules).map((rule) => ({ rule: rule.name, outcome: runRule(rule, subject) }));
  return { decision: decisionOf(subject, trace), trace };
}

/** One pass over the outcomes: deny beats shed, reasons kept in rule order without repeats. */
function decisionOf(subject: PolicySubject, trace: RuleTrace[]): PolicyDecision {
  let status: PolicyStatus = 'allowed';
  for (const { outcome } of trace) {
    if (outcome.verdict === 'deny') status = 'denied';
    else if (outcome.verdict === 'shed' && status === 'allowed') status = 'shed';
  }
  const reasons = new Set<string>();
  if (status !== 'allowed') {
    const verdict = status === 'denied' ? 'deny' : 'shed';
    for (const { outcome } of trace) if (outcome.verdict === verdict) for (const reason of outcome.reasons) reasons.add(reason);
  }
  return { status, reasons: [...reasons], executionPolicy: executionPolicyOf(subject), auditContext: auditContextOf(subject) };
}

/**
 * Capabilities are immutable once defined, so each one's contract view is parsed once and cached;
 * the credential and request are checked on every call (plain shapes by hand, the rest by zod).
 */
const parsedCapabilities = new WeakMap<object, z.output<typeof PolicyCapabilitySchema>>();

function parseInput(input: PolicyInput): z.output<typeof PolicyInputSchema> {
  if (typeof input !== 'object' || input === null) return parseAt(PolicyInputSchema, input, 'policy input');
  const raw = input.capability as unknown;
  let capability = typeof raw === 'object' && raw !== null ? parsedCapabilities.get(raw) : undefined;
  if (!capability) {
    capability = parseAt(PolicyCapabilitySchema, raw, 'policy input: capability');
    parsedCapabilities.set(raw as object, capability);
  }
  return {
    capability,
    credential: plainCredential(input.credential) ?? parseAt(PolicyCredentialSchema, input.credential, 'policy input: credential'),
    request: plainRequest(input.request) ?? parseAt(PolicyRequestSchema, input.request, 'policy input: request'),
  };
}

/** A rule that throws fails closed: it denies, naming itself (never the error, which may hold data). */
function runRule(rule: PolicyRule, subject: PolicySubject): RuleOutcome {
  try {
    const outcome = rule.evaluate(subject);
    if (outcome?.verdict === 'allow') return outcome;
    if ((outcome?.verdict === 'deny' || outcome?.verdict === 'shed') && Array.isArray(outcome.reasons) && outcome.reasons.length > 0) {
      return { verdict: outcome.verdict, reasons: outcome.reasons.map(String) };
    }
    return { verdict: 'deny', reasons: [`policy rule ${rule.name} returned an invalid outcome`] };
  } catch {
    return { verdict: 'deny', reasons: [`policy rule ${rule.name} failed`] };
  }
}

/** What the runtime enforces: the contract's sandbox, narrowed by the request where that is allowed. */
export function executionPolicyOf(subject: PolicySubject): ExecutionPolicy {
  const contract = subject.contract.sandbox;
  const requestedTools = subject.sandbox.allowedTools;
  const allowedTools =
    contract.allowedTools.length === 0 ? [...requestedTools] : requestedTools.filter((tool) => contract.allowedTools.includes(tool));
  return {
    runtimeClass: subject.request.runtimeClass,
    sandbox: {
      level: contract.level,
      egress: contract.egress,
      approvals: contract.approvals,
      fileScope: contract.fileScope ?? subject.sandbox.fileScope,
      allowedTools: [...new Set(allowedTools)],
    },
  };
}

export function auditContextOf(subject: PolicySubject): AuditContext {
  const { request } = subject;
  return {
    actorId: request.actorId,
    tenantId: request.tenantId,
    environment: request.environment,
    traceId: request.traceId,
    connectorId: subject.capability.connectorId,
    capabilityId: subject.capability.id,
    runtimeClass: request.runtimeClass,
    credentialRefId: subject.credential.refId,
    pressure: request.pressure === null ? null : { ...request.pressure },
    sandbox: { ...subject.sandbox, allowedTools: [...subject.sandbox.allowedTools] },
    allowedOperations: [...request.allowedOperations],
  };
}
