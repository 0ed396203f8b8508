import { z } from 'zod';
import semver from 'semver';
import { JsonObjectSchema, NonEmptyString, RuntimeClassSchema, type RuntimeClass } from './common';
import { ValidationError } from '../errors/integration-error';

const SemverString = z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version');

export const BoundaryCapabilitySchema = z.object({
  supported: z.boolean().default(false),
  boundaryClasses: z.array(z.string()).default([]),
  attachModes: z.array(z.string()).default([]),
  checkpointing: z.boolean().default(false),
});
export type BoundaryCapability = z.infer<typeof BoundaryCapabilitySchema>;

/** An execution environment a capability can run on. It advertises; it never overrides routing. */
export const TargetDescriptorSchema = z.object({
  targetId: NonEmptyString,
  capabilityId: NonEmptyString,
  runtimeClass: RuntimeClassSchema,
  version: SemverString,
  health: z.enum(['healthy', 'degraded', 'unavailable']).default('healthy'),
  features: z
    .object({
      featureIds: z.array(z.string()).default([]),
      runspecVersions: z.array(SemverString).default([]),
      eventSchemaVersions: z.array(SemverString).default([]),
    })
    .catchall(z.unknown())
    .default({ featureIds: [], runspecVersions: [], eventSchemaVersions: [] }),
  constraints: JsonObjectSchema.default({}),
  location: z
    .object({
      mode: z.enum(['local', 'ssh', 'beam', 'bus', 'http']),
      region: z.string().optional(),
      workspaceRoot: z.string().optional(),
    })
    .catchall(z.unknown()),
  extensions: z
    .object({ boundary: BoundaryCapabilitySchema.optional() })
    .catchall(z.unknown())
    .default({}),
});
export type TargetDescriptor = z.infer<typeof TargetDescriptorSchema>;
export type TargetDescriptorInput = z.input<typeof TargetDescriptorSchema>;

const routingOverrideKeys = ['runtime', 'driver', 'provider', 'options'];

export const TargetRequirementsSchema = z.strictObject({
  capabilityId: NonEmptyString,
  runtimeClass: RuntimeClassSchema,
  /** An npm semver range, e.g. `^1.0.0` (the original's `~> 1.0`). */
  versionRequirement: z.string().optional(),
  requiredFeatures: z.array(z.string()).default([]),
  acceptedRunspecVersions: z.array(SemverString).optional(),
  acceptedEventSchemaVersions: z.array(SemverString).optional(),
});
export type TargetRequirements = z.infer<typeof TargetRequirementsSchema>;
export type TargetRequirementsInput = z.input<typeof TargetRequirementsSchema>;

export type IncompatibilityReason =
  | 'capability_mismatch'
  | 'runtime_class_mismatch'
  | 'target_unhealthy'
  | 'version_mismatch'
  | 'missing_required_features';

export interface NegotiatedVersions {
  runspecVersion: string | null;
  eventSchemaVersion: string | null;
}

export type Compatibility =
  | { compatible: true; negotiated: NegotiatedVersions }
  | { compatible: false; reason: IncompatibilityReason; detail: string };

/** Parses requirements; routing keys are refused: targets never choose the driver. */
export function parseTargetRequirements(input: unknown): TargetRequirements {
  if (input && typeof input === 'object') {
    const offending = routingOverrideKeys.filter((key) => key in input);
    if (offending.length > 0) {
      throw new ValidationError('invalid_argument', `target requirements may not override routing (${offending.join(', ')})`, {
        details: { keys: offending },
      });
    }
  }
  const parsed = TargetRequirementsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('invalid_argument', `invalid target requirements: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function highestCommon(offered: string[], accepted: string[] | undefined): string | null | undefined {
  if (!accepted || accepted.length === 0 || offered.length === 0) return null;
  const common = offered.filter((v) => accepted.some((a) => semver.eq(a, v)));
  if (common.length === 0) return undefined;
  return common.sort(semver.rcompare)[0] ?? null;
}

/** Checks, in order: capability, runtime class, health, version range, features; then negotiates. */
export function targetCompatibility(target: TargetDescriptor, requirements: TargetRequirements): Compatibility {
  if (target.capabilityId !== requirements.capabilityId) {
    return { compatible: false, reason: 'capability_mismatch', detail: `target serves ${target.capabilityId}` };
  }
  if (target.runtimeClass !== requirements.runtimeClass) {
    return { compatible: false, reason: 'runtime_class_mismatch', detail: `target runtime class is ${target.runtimeClass}` };
  }
  if (target.health !== 'healthy') {
    return { compatible: false, reason: 'target_unhealthy', detail: `target health is ${target.health}` };
  }
  if (requirements.versionRequirement && !semver.satisfies(target.version, requirements.versionRequirement)) {
    return { compatible: false, reason: 'version_mismatch', detail: `${target.version} does not satisfy ${requirements.versionRequirement}` };
  }
  const missing = requirements.requiredFeatures.filter((f) => !target.features.featureIds.includes(f));
  if (missing.length > 0) {
    return { compatible: false, reason: 'missing_required_features', detail: `missing features: ${missing.join(', ')}` };
  }
  const runspecVersion = highestCommon(target.features.runspecVersions, requirements.acceptedRunspecVersions);
  const eventSchemaVersion = highestCommon(target.features.eventSchemaVersions, requirements.acceptedEventSchemaVersions);
  if (runspecVersion === undefined || eventSchemaVersion === undefined) {
    return { compatible: false, reason: 'version_mismatch', detail: 'no runspec or event schema version in common' };
  }
  return { compatible: true, negotiated: { runspecVersion, eventSchemaVersion } };
}

/** Requirements authored by a capability: its id and class always win; its driver is required. */
export function authoredRequirements(
  capability: { id: string; runtimeClass: RuntimeClass; runtime: { driver: string } | null },
  extra: Partial<Omit<TargetRequirementsInput, 'capabilityId' | 'runtimeClass'>> = {},
): TargetRequirements {
  const features = [...(extra.requiredFeatures ?? [])];
  if (capability.runtimeClass !== 'direct' && capability.runtime && !features.includes(capability.runtime.driver)) {
    features.unshift(capability.runtime.driver);
  }
  return parseTargetRequirements({ ...extra, requiredFeatures: features, capabilityId: capability.id, runtimeClass: capability.runtimeClass });
}

/** Live worker facts can only narrow the authored boundary capability. */
export function mergeBoundaryCapability(authored: BoundaryCapability, live: Partial<BoundaryCapability>): BoundaryCapability {
  const intersect = (a: string[], b: string[] | undefined) => (b ? a.filter((x) => b.includes(x)) : a);
  return {
    supported: authored.supported && (live.supported ?? true),
    boundaryClasses: intersect(authored.boundaryClasses, live.boundaryClasses),
    attachModes: intersect(authored.attachModes, live.attachModes),
    checkpointing: authored.checkpointing && (live.checkpointing ?? true),
  };
}
