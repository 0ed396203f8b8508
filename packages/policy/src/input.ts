import { z } from 'zod';
import {
  NonEmptyString,
  PressureSchema,
  RuntimeClassSchema,
  SandboxInputSchema,
  SandboxSchema,
  type Capability,
  type Pressure,
  type RuntimeClass,
  type Sandbox,
  type SandboxInput,
} from '@integration/contracts';

/** Blank strings count as "not given", so `''` can never satisfy a required actor or tenant. */
const OptionalText = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === null || value.trim() === '' ? null : value));

/** The normalized admission contract (`capability.policy`, built by contracts' normalizePolicy). */
export const PolicyContractViewSchema = z.object({
  actor: z.object({ required: z.boolean(), allowedIds: z.array(z.string()) }),
  tenant: z.object({ required: z.boolean(), allowedIds: z.array(z.string()) }),
  environment: z.object({ allowed: z.array(z.string()) }),
  runtime: z.object({ allowed: z.array(RuntimeClassSchema) }),
  allowedOperations: z.array(z.string()),
  sandbox: SandboxSchema,
});

/** Just the capability fields the rules read; everything else on a Capability passes through untouched. */
export const PolicyCapabilitySchema = z.looseObject({
  id: NonEmptyString,
  connectorId: NonEmptyString,
  runtimeClass: RuntimeClassSchema,
  requiredScopes: z.array(z.string()),
  policy: PolicyContractViewSchema,
});

export const PolicyCredentialSchema = z.object({
  refId: NonEmptyString,
  tenantId: OptionalText,
  scopes: z.array(z.string()),
});

export const PolicyRequestSchema = z.object({
  actorId: OptionalText.optional(),
  tenantId: OptionalText.optional(),
  environment: OptionalText.optional(),
  traceId: OptionalText.optional(),
  /** Operations the caller grants this dispatch; the capability id must be among them. */
  allowedOperations: z.array(z.string()),
  /** The runtime class the host routes to; defaults to the capability's own class. */
  runtimeClass: RuntimeClassSchema.nullish(),
  /** Partial sandbox, merged field by field over the contract sandbox. */
  sandbox: SandboxInputSchema.nullish(),
  pressure: PressureSchema.nullish(),
});

export const PolicyInputSchema = z.object({
  capability: PolicyCapabilitySchema,
  credential: PolicyCredentialSchema,
  request: PolicyRequestSchema,
});

/** What callers pass to `evaluatePolicy`. A full `Capability` is accepted as is. */
export interface PolicyInput {
  capability: Capability | z.input<typeof PolicyCapabilitySchema>;
  credential: { refId: string; tenantId: string | null; scopes: string[] };
  request: {
    actorId?: string | null;
    tenantId?: string | null;
    environment?: string | null;
    traceId?: string | null;
    allowedOperations: string[];
    runtimeClass?: RuntimeClass | null;
    sandbox?: Partial<SandboxInput> | null;
    pressure?: Pressure | null;
  };
}

export type PolicyContractView = z.output<typeof PolicyContractViewSchema>;

/** The normalized view every rule reads. Built once per evaluation. */
export interface PolicySubject {
  capability: { id: string; connectorId: string; runtimeClass: RuntimeClass; requiredScopes: string[] };
  contract: PolicyContractView;
  credential: { refId: string; tenantId: string | null; scopes: string[] };
  request: {
    actorId: string | null;
    tenantId: string | null;
    environment: string | null;
    traceId: string | null;
    allowedOperations: string[];
    runtimeClass: RuntimeClass;
    pressure: Pressure | null;
  };
  /** The effective requested sandbox: the request's fields over the contract's. */
  sandbox: Sandbox;
}

export function mergeSandbox(contract: Sandbox, requested: z.output<typeof SandboxInputSchema> | null | undefined): Sandbox {
  return {
    level: requested?.level ?? contract.level,
    egress: requested?.egress ?? contract.egress,
    approvals: requested?.approvals ?? contract.approvals,
    fileScope: requested?.fileScope !== undefined ? requested.fileScope : contract.fileScope,
    allowedTools: requested?.allowedTools ?? contract.allowedTools,
  };
}

export function subjectOf(input: z.output<typeof PolicyInputSchema>): PolicySubject {
  const { capability, credential, request } = input;
  return {
    capability: {
      id: capability.id,
      connectorId: capability.connectorId,
      runtimeClass: capability.runtimeClass,
      requiredScopes: capability.requiredScopes,
    },
    contract: capability.policy,
    credential,
    request: {
      actorId: request.actorId ?? null,
      tenantId: request.tenantId ?? null,
      environment: request.environment ?? null,
      traceId: request.traceId ?? null,
      allowedOperations: request.allowedOperations,
      runtimeClass: request.runtimeClass ?? capability.runtimeClass,
      pressure: request.pressure ?? null,
    },
    sandbox: mergeSandbox(capability.policy.sandbox, request.sandbox),
  };
}
