import { AuthError, NotFoundError, type Capability, type CredentialRef } from '@integration/contracts';
import { anonymousBinding, bindingOf, type ResolvedBinding } from '../auth-binding';
import type { ControlPlaneContext } from '../context';

/** Step 1b: `connectionId` → connection checks; scopes without a connection → connection_required. */
export async function resolveBinding(ctx: ControlPlaneContext, capability: Capability, connectionId: string | undefined): Promise<ResolvedBinding> {
  if (connectionId === undefined) {
    if (capability.requiredScopes.length > 0) {
      throw new AuthError('connection_required', `${capability.id} requires scopes (${capability.requiredScopes.join(', ')}); pass a connectionId`, {
        details: { capabilityId: capability.id, requiredScopes: capability.requiredScopes },
      });
    }
    return anonymousBinding();
  }
  if (!ctx.auth) {
    throw new NotFoundError('unknown_connection', `no connection ${connectionId}: this platform has no auth service`, { details: { connectionId } });
  }
  return bindingOf(await ctx.auth.bind(connectionId));
}

/** executeRun re-binds through the connection recorded on the run's credential ref. */
export async function rebind(ctx: ControlPlaneContext, credentialRef: CredentialRef): Promise<ResolvedBinding> {
  if (!credentialRef.connectionId) return { ...anonymousBinding(), credentialRef };
  if (!ctx.auth) {
    throw new NotFoundError('unknown_connection', `no connection ${credentialRef.connectionId}: this platform has no auth service`);
  }
  return bindingOf(await ctx.auth.bind(credentialRef.connectionId));
}
