import { IntegrationError, isIntegrationError, type SecretSealer, type WebhookRoute } from '@integration/contracts';

/** Resolves a secret held by auth (e.g. a connection's `webhook_secret`). */
export interface SecretResolver {
  resolveSecret(connectionId: string, secretName: string): Promise<string>;
}

/** Where route verification secrets come from: the sealer (inline secrets) and auth (`secretRef`). */
export interface RouteSecretSources {
  sealer?: SecretSealer;
  secrets?: SecretResolver;
}

/** The verification secret of a route that has one: its sealed inline secret opened, or its `secretRef` resolved. */
export async function openRouteSecret(route: WebhookRoute, sources: RouteSecretSources): Promise<string> {
  const verification = route.verification!;
  try {
    if (verification.sealedSecret) {
      if (!sources.sealer) throw new IntegrationError('key_configuration_missing', 'no SecretSealer to open the route secret');
      return sources.sealer.open(route.routeId, verification.sealedSecret);
    }
    if (!sources.secrets) throw new IntegrationError('key_configuration_missing', 'no secret resolver for secretRef routes');
    return await sources.secrets.resolveSecret(verification.secretRef!.connectionId, verification.secretRef!.secretName);
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    throw new IntegrationError('unknown_secret', `the secret of route ${route.routeId} could not be resolved`, { cause: error });
  }
}
