export { createIngress } from './ingress';
export type { Admission, AdmitOptions, CapabilityResolver, Ingress, IngressOptions, PollRequest, WebhookRequest } from './ingress';
export { definitionFromTrigger, defineIngress, DEFAULT_DEDUPE_TTL_SECONDS } from './definition';
export type { DefinitionOverrides, IngressDefinition, PayloadValidator } from './definition';
export { dedupeKeyFor } from './dedupe';
export { buildSignal } from './signal';
export { normalizeHeaders, headerValue } from './headers';
export type { HeaderInput } from './headers';
export { AdmissionRejectedError } from './rejection';
export {
  verifySignature,
  signatureHeaderOf,
  standardWebhooksKey,
  defaultSignatureHeader,
  DEFAULT_TOLERANCE_SECONDS,
} from './verification/schemes';
export type { SignedRequest, VerificationConfig, VerificationFailure, VerificationOutcome } from './verification/schemes';
export { signWebhook } from './verification/sign';
export type { SignOptions } from './verification/sign';
