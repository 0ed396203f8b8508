import type { IntegrationError } from '@integration/contracts';

/** HTTP status for a routing or admission failure. */
export function httpStatusOf(error: IntegrationError): number {
  switch (error.code) {
    case 'signature_invalid':
      return 401;
    case 'route_not_found':
    case 'tenant_not_found':
      return 404;
    case 'ambiguous_route':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'invalid_trigger':
    case 'invalid_input':
    case 'invalid_request':
      return 422;
    case 'store_unavailable':
      return 503;
    default:
      return 500;
  }
}
