import semver from 'semver';
import { z } from 'zod';
import {
  authoredRequirements,
  NotFoundError,
  parseAt,
  parseTargetRequirements,
  targetCompatibility,
  TargetDescriptorSchema,
  type NegotiatedVersions,
  type TargetDescriptor,
  type TargetRequirementsInput,
} from '@integration/contracts';
import type { ControlPlaneContext } from './context';

export interface CompatibleTarget {
  target: TargetDescriptor;
  negotiated: NegotiatedVersions;
}

export interface TargetFilter {
  capabilityId?: string;
  runtimeClass?: TargetDescriptor['runtimeClass'];
  health?: TargetDescriptor['health'];
}

export async function announceTarget(ctx: ControlPlaneContext, input: unknown): Promise<TargetDescriptor> {
  const target = parseAt(TargetDescriptorSchema, input, 'invalid target descriptor');
  await ctx.stores.ledger.putTarget(target);
  return target;
}

export async function fetchTarget(ctx: ControlPlaneContext, targetId: string): Promise<TargetDescriptor> {
  const target = await ctx.stores.ledger.fetchTarget(parseAt(z.string().min(1), targetId, 'targetId'));
  if (!target) throw new NotFoundError('unknown_target', `no target ${targetId}`, { details: { targetId } });
  return target;
}

const TargetFilterSchema = z.strictObject({
  capabilityId: z.string().min(1).optional(),
  runtimeClass: z.enum(['direct', 'session', 'stream']).optional(),
  health: z.enum(['healthy', 'degraded', 'unavailable']).optional(),
});

export async function listTargets(ctx: ControlPlaneContext, rawFilter: TargetFilter = {}): Promise<TargetDescriptor[]> {
  const filter = parseAt(TargetFilterSchema, rawFilter ?? {}, 'targets filter');
  return (await ctx.stores.ledger.listTargets()).filter(
    (t) =>
      (!filter.capabilityId || t.capabilityId === filter.capabilityId) &&
      (!filter.runtimeClass || t.runtimeClass === filter.runtimeClass) &&
      (!filter.health || t.health === filter.health),
  );
}

/** Compatible targets, highest version first, then by id. Routing keys in the requirements are refused. */
export async function compatibleTargets(ctx: ControlPlaneContext, input: unknown): Promise<CompatibleTarget[]> {
  const requirements = parseTargetRequirements(input);
  const matches: CompatibleTarget[] = [];
  for (const target of await ctx.stores.ledger.listTargets()) {
    const result = targetCompatibility(target, requirements);
    if (result.compatible) matches.push({ target, negotiated: result.negotiated });
  }
  return matches.sort((a, b) => semver.rcompare(a.target.version, b.target.version) || (a.target.targetId < b.target.targetId ? -1 : 1));
}

/** Compatible targets for a capability's authored requirements (its id, class and driver always win). */
export async function compatibleTargetsFor(
  ctx: ControlPlaneContext,
  capabilityId: string,
  extra: Partial<Omit<TargetRequirementsInput, 'capabilityId' | 'runtimeClass'>> = {},
): Promise<CompatibleTarget[]> {
  const capability = ctx.registry.fetchCapability(capabilityId);
  return compatibleTargets(ctx, authoredRequirements(capability, extra));
}
