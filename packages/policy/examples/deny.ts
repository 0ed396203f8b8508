import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { evaluatePolicy } from '@integration/policy';

const connector = defineConnector({
  id: 'demo',
  auth: { type: 'api_token', requestedScopes: ['repo:read'] },
  catalog: { displayName: 'Demo' },
  operations: [
    defineOperation({
      id: 'demo.item.fetch',
      description: 'Fetch an item',
      input: z.object({ id: z.string() }),
      output: z.object({ id: z.string() }),
      scopes: ['repo:read'],
      policy: { actor: { required: true }, sandbox: { egress: 'blocked' } },
      handler: async (input) => input,
      consumerSurface: { mode: 'connector_local', reason: 'example' },
    }),
  ],
});
const capability = connector.capabilities[0]!;

export const decision = evaluatePolicy({
  capability,
  credential: { refId: 'cred_1', tenantId: 'acme', scopes: [] },
  request: { allowedOperations: [capability.id], tenantId: 'acme', sandbox: { egress: 'open' } },
});
console.log(decision.status);  // 'denied'
console.log(decision.reasons);
// [ 'actor_id is required',
//   'missing required scopes: repo:read',
//   'sandbox egress open is wider than allowed blocked' ]
