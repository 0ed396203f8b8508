import { z } from 'zod';
import { defineConnector, defineOperation, type Capability, type PolicyContractInput } from '@integration/contracts';
import type { PolicyInput } from '../src';

/** A real capability built through defineConnector, so tests use the contract's own normalization. */
export function capabilityWith(policy: PolicyContractInput = {}, scopes: string[] = ['repo:read']): Capability {
  const connector = defineConnector({
    id: 'test',
    auth: { type: 'api_token', requestedScopes: ['repo:read', 'repo:write', 'admin'], leaseFields: ['access_token'] },
    catalog: { displayName: 'Test' },
    operations: [
      defineOperation({
        id: 'test.item.fetch',
        description: 'fetch an item',
        input: z.object({ id: z.string() }),
        output: z.object({ id: z.string() }),
        scopes,
        policy,
        handler: async (input) => input,
        consumerSurface: { mode: 'connector_local', reason: 'test fixture' },
      }),
    ],
  });
  return connector.capabilities[0]!;
}

export function inputFor(overrides: {
  capability?: Capability;
  credential?: Partial<PolicyInput['credential']>;
  request?: Partial<PolicyInput['request']>;
} = {}): PolicyInput {
  const capability = overrides.capability ?? capabilityWith();
  return {
    capability,
    credential: { refId: 'cred_1', tenantId: 'tenant-a', scopes: ['repo:read'], ...overrides.credential },
    request: { allowedOperations: [capability.id], tenantId: 'tenant-a', ...overrides.request },
  };
}
