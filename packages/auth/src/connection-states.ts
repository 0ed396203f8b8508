import { integrationError, type Connection, type ConnectionState, type ErrorCode } from '@integration/contracts';

/**
 * The connection state machine as data: `from → allowed targets`. Moving to the same state is
 * always a no-op. One deliberate change from the original table: `degraded → installing` is
 * allowed, so a connection whose refresh keeps failing transiently can be re-authorised without
 * first being revoked.
 */
export const connectionTransitions: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = Object.freeze({
  installing: ['connected', 'reauth_required', 'revoked', 'disabled'],
  connected: ['installing', 'degraded', 'reauth_required', 'revoked', 'disabled'],
  degraded: ['installing', 'connected', 'reauth_required', 'revoked', 'disabled'],
  reauth_required: ['installing', 'revoked', 'disabled'],
  revoked: ['installing', 'disabled'],
  disabled: ['installing'],
});

export const connectionStates = Object.keys(connectionTransitions) as ConnectionState[];

export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return from === to || connectionTransitions[from].includes(to);
}

export function assertTransition(connection: Pick<Connection, 'connectionId' | 'state'>, to: ConnectionState): void {
  if (canTransition(connection.state, to)) return;
  throw integrationError(
    'invalid_connection_transition',
    `connection ${connection.connectionId} cannot move from ${connection.state} to ${to}`,
    { details: { connectionId: connection.connectionId, from: connection.state, to } },
  );
}

/** States a lease may be issued from. */
export const leasableStates: readonly ConnectionState[] = ['connected', 'degraded'];

const blockedCode: Record<Exclude<ConnectionState, 'connected' | 'degraded'>, ErrorCode> = {
  installing: 'connection_installing',
  reauth_required: 'reauth_required',
  revoked: 'connection_revoked',
  disabled: 'connection_disabled',
};

/** Throws the state's typed error unless the connection can serve leases. */
export function assertLeasable(connection: Pick<Connection, 'connectionId' | 'state'>): void {
  if (connection.state === 'connected' || connection.state === 'degraded') return;
  const code = blockedCode[connection.state];
  throw integrationError(code, `connection ${connection.connectionId} is ${connection.state}`, {
    details: { connectionId: connection.connectionId, state: connection.state },
  });
}

/** Returns the connection moved to `to` (checked against the table), with its reason and timestamp. */
export function moveConnection(connection: Connection, to: ConnectionState, reason: string, nowIso: string, patch: Partial<Connection> = {}): Connection {
  assertTransition(connection, to);
  return { ...connection, ...patch, state: to, stateReason: reason, updatedAt: nowIso };
}
