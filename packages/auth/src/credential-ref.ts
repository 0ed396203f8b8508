import type { Connection, CredentialRef, SealedCredential } from '@integration/contracts';

/** The secret-free durable handle to a connection's credential. */
export function credentialRefOf(connection: Connection, credential: Pick<SealedCredential, 'credentialId' | 'subject'>): CredentialRef {
  return {
    id: credential.credentialId,
    subject: credential.subject,
    scopes: [...connection.grantedScopes],
    authType: connection.authType,
    connectionId: connection.connectionId,
    installId: connection.installId,
    connectorId: connection.connectorId,
    tenantId: connection.tenantId,
  };
}
