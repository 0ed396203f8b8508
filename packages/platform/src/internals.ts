import type { Stores } from '@integration/contracts';
import type { AuthService } from '@integration/auth';

/** What a platform is built from, kept off its public surface (raw stores and auth hold plaintext). */
export interface PlatformInternals {
  stores: Stores;
  auth: AuthService;
}

const internals = new WeakMap<object, PlatformInternals>();

export function rememberInternals(platform: object, parts: PlatformInternals): void {
  internals.set(platform, parts);
}

/**
 * Tests and operator tooling only (`@integration/platform/testing`): the raw stores (no redaction,
 * no fencing) and the auth service (which can open sealed secrets) behind a platform.
 */
export function platformInternals(platform: object): PlatformInternals {
  const found = internals.get(platform);
  if (!found) throw new TypeError('platformInternals: not a platform built by createPlatform');
  return found;
}
