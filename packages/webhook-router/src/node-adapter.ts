import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener, RequestError } from '@hono/node-server';
import { IntegrationError, type Logger } from '@integration/contracts';
import { failureOutcome, responseOf } from './outcome';

/**
 * The node:http listener for a Fetch handler: each request becomes a `Request` (its body streamed
 * from the socket, so the handler's size limit applies as the upload arrives), each `Response` is
 * written back. An upload the handler left unread is drained briefly after the answer, then the
 * connection closed; a 413 answer carries `Connection: close`, so node closes it at once.
 */
export function nodeListenerOf(fetchHandler: (request: Request) => Promise<Response>, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  const listener = getRequestListener(fetchHandler, {
    // Requests without a Host header (HTTP/1.0) are still routed by their path.
    hostname: 'localhost',
    // The process's global Request/Response stay as they are.
    overrideGlobalObjects: false,
    errorHandler(error) {
      if (error instanceof RequestError) {
        return responseOf(failureOutcome(new IntegrationError('invalid_request', `the request could not be read: ${error.message}`)));
      }
      logger.error({ err: error }, 'node webhook handler crashed');
      return responseOf(failureOutcome(new IntegrationError('store_failed', 'webhook routing failed')));
    },
  });
  return (req, res) => void listener(req, res);
}
