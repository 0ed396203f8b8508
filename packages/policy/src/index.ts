export { evaluatePolicy, explainPolicy, executionPolicyOf, auditContextOf } from './evaluate-policy';
export type { EvaluatePolicyOptions, PolicyExplanation, RuleTrace } from './evaluate-policy';
export {
  PolicyInputSchema,
  PolicyCapabilitySchema,
  PolicyCredentialSchema,
  PolicyRequestSchema,
  PolicyContractViewSchema,
  mergeSandbox,
  subjectOf,
} from './input';
export type { PolicyInput, PolicySubject, PolicyContractView } from './input';
export type { PolicyRule, RuleOutcome } from './rule';
export * from './rules';
