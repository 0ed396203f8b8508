import { resealEnvelope, type Install, type SealedCredential } from '@integration/contracts';
import { connectionLockKey, logEvent, type AuthContext } from './context';

export interface RewrapReport {
  /** Credentials re-sealed under the active key. */
  credentials: number;
  /** Pending installs whose sealed OAuth state was re-sealed. */
  installs: number;
  /** Records whose envelope could not be opened (their key is no longer in the ring). */
  unsealable: string[];
}

/**
 * Re-seals every credential (and pending install state) that is not under the active key, one
 * connection lock at a time. Versions are unchanged: the secret is the same, so leases stay valid.
 * Afterwards the old keys can be removed from the ring.
 */
export async function rewrapCredentials(ctx: AuthContext): Promise<RewrapReport> {
  const report: RewrapReport = { credentials: 0, installs: 0, unsealable: [] };
  const stale = (record: { envelope?: SealedCredential['envelope']; sealedState?: Install['sealedState'] }) => {
    const envelope = record.envelope ?? record.sealedState ?? null;
    return envelope !== null && ctx.keyRing.needsRewrap(envelope);
  };
  for (const listed of await ctx.stores.auth.listCredentials()) {
    if (!stale(listed)) continue;
    await ctx.stores.auth.withLock(connectionLockKey(listed.connectionId), async () => {
      const credential = await ctx.stores.auth.fetchCredential(listed.credentialId);
      if (!credential || credential.envelope === null || !ctx.keyRing.needsRewrap(credential.envelope)) return;
      const envelope = resealEnvelope(ctx.keyRing, credential.credentialId, credential.envelope);
      if (!envelope) {
        report.unsealable.push(credential.credentialId);
        return;
      }
      await ctx.stores.auth.putCredential({ ...credential, envelope });
      report.credentials += 1;
    });
  }
  for (const listed of await ctx.stores.auth.listInstalls({ state: 'installing' })) {
    if (!stale(listed)) continue;
    await ctx.stores.auth.withLock(connectionLockKey(listed.connectionId), async () => {
      const install = await ctx.stores.auth.fetchInstall(listed.installId);
      if (!install || install.state !== 'installing' || install.sealedState === null || !ctx.keyRing.needsRewrap(install.sealedState)) return;
      const sealedState = resealEnvelope(ctx.keyRing, install.installId, install.sealedState);
      if (!sealedState) {
        report.unsealable.push(install.installId);
        return;
      }
      await ctx.stores.auth.putInstall({ ...install, sealedState });
      report.installs += 1;
    });
  }
  logEvent(ctx, 'info', { event: 'auth.keyring.rewrapped', activeKeyId: ctx.keyRing.activeKeyId, ...report }, 'credentials re-sealed under the active key');
  return report;
}
