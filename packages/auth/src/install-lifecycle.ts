import { integrationError, parseAt, type Connection, type ConnectionState, type Install, type InstallFilter } from '@integration/contracts';
import { canTransition, moveConnection } from './connection-states';
import { connectionLockKey, logEvent, nowIso, type AuthContext } from './context';
import { CancelInstallInputSchema, IdSchema, InstallFilterSchema, type CancelInstallInput } from './inputs';

/** Install metadata key recording the connection state a re-install started from. */
export const PREVIOUS_STATE_KEY = 'previousConnectionState';

export function isOverdue(ctx: AuthContext, install: Install): boolean {
  return install.state === 'installing' && Date.parse(install.expiresAt) <= ctx.clock.now();
}

/**
 * Marks an install expired or cancelled. Must run under the connection lock. If the connection
 * is still `installing` because of it, it goes back to the state the re-install started from.
 */
export async function abandonInstall(ctx: AuthContext, install: Install, state: 'expired' | 'cancelled', reason: string, extra: Record<string, unknown> = {}): Promise<Install> {
  const at = nowIso(ctx);
  const updated: Install = { ...install, state, sealedState: null, updatedAt: at, metadata: { ...install.metadata, ...extra } };
  const connection = await ctx.stores.auth.fetchConnection(install.connectionId);
  let restored: Connection | null = null;
  if (connection && connection.state === 'installing') {
    const stillPending = (await ctx.stores.auth.listInstalls({ connectionId: install.connectionId, state: 'installing' })).filter(
      (p) => p.installId !== install.installId && !isOverdue(ctx, p),
    );
    const previous = install.metadata[PREVIOUS_STATE_KEY];
    if (stillPending.length === 0 && typeof previous === 'string' && previous !== 'installing') {
      // installing → degraded is not a transition: a degraded connection comes back as connected.
      const target = (previous === 'degraded' ? 'connected' : previous) as ConnectionState;
      if (canTransition('installing', target)) restored = moveConnection(connection, target, `install ${state}: ${reason}`, at);
    }
  }
  await ctx.stores.transaction(async (tx) => {
    await tx.auth.putInstall(updated);
    if (restored) await tx.auth.putConnection(restored);
  });
  logEvent(ctx, 'info', {
    event: `auth.install.${state}`,
    installId: install.installId,
    connectionId: install.connectionId,
    reason,
    ...(restored ? { connectionState: restored.state } : {}),
  }, `install ${state}`);
  return updated;
}

export async function loadInstall(ctx: AuthContext, installId: string): Promise<Install> {
  const install = await ctx.stores.auth.fetchInstall(installId);
  if (!install) throw integrationError('unknown_install', `no install ${installId}`, { details: { installId } });
  return install;
}

export function assertInstalling(install: Install): void {
  const details = { installId: install.installId, state: install.state };
  if (install.state === 'completed') throw integrationError('install_already_consumed', `install ${install.installId} was already completed`, { details });
  if (install.state === 'cancelled') throw integrationError('install_cancelled', `install ${install.installId} was cancelled`, { details });
  if (install.state === 'expired') throw integrationError('install_expired', `install ${install.installId} expired`, { details });
}

/** Marks an overdue install expired (under the lock) and returns the current record. */
async function settleExpiry(ctx: AuthContext, install: Install): Promise<Install> {
  if (!isOverdue(ctx, install)) return install;
  return ctx.stores.auth.withLock(connectionLockKey(install.connectionId), async () => {
    const current = await loadInstall(ctx, install.installId);
    return isOverdue(ctx, current) ? abandonInstall(ctx, current, 'expired', 'ttl elapsed') : current;
  });
}

export async function fetchInstall(ctx: AuthContext, installIdInput: string): Promise<Install> {
  const installId = parseAt(IdSchema, installIdInput, 'installId');
  return settleExpiry(ctx, await loadInstall(ctx, installId));
}

export async function listInstalls(ctx: AuthContext, filterInput: InstallFilter = {}): Promise<Install[]> {
  const filter = parseAt(InstallFilterSchema, filterInput ?? {}, 'install filter');
  const all = await ctx.stores.auth.listInstalls({ ...filter, state: undefined });
  const settled: Install[] = [];
  for (const install of all) settled.push(await settleExpiry(ctx, install));
  return filter.state ? settled.filter((i) => i.state === filter.state) : settled;
}

/** Marks every overdue install expired; returns how many changed. */
export async function sweepExpiredInstalls(ctx: AuthContext): Promise<number> {
  let count = 0;
  for (const install of await ctx.stores.auth.listInstalls({ state: 'installing' })) {
    if (isOverdue(ctx, install) && (await settleExpiry(ctx, install)).state === 'expired') count += 1;
  }
  return count;
}

export async function cancelInstall(ctx: AuthContext, installIdInput: string, rawInput: CancelInstallInput = {}): Promise<Install> {
  const installId = parseAt(IdSchema, installIdInput, 'installId');
  const input = parseAt(CancelInstallInputSchema, rawInput ?? {}, 'cancelInstall options');
  const first = await loadInstall(ctx, installId);
  return ctx.stores.auth.withLock(connectionLockKey(first.connectionId), async () => {
    let install = await loadInstall(ctx, installId);
    if (install.state === 'cancelled') return install;
    if (isOverdue(ctx, install)) install = await abandonInstall(ctx, install, 'expired', 'ttl elapsed');
    assertInstalling(install);
    return abandonInstall(ctx, install, 'cancelled', input.reason ?? 'cancelled', {
      cancelReason: input.reason ?? 'cancelled',
      cancelledBy: input.actorId ?? null,
    });
  });
}
