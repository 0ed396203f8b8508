import { z } from 'zod';
import { defineOperation } from '@integration/contracts';
import type { ResolvedNotionOptions } from '../options';
import { expectShape } from '../response';
import { runOperation } from '../run-operation';
import { outputOf, UserSchema } from '../schemas';
import { scopes } from '../scopes';

export const GetSelfInputSchema = z.strictObject({});
export const GetSelfOutputSchema = outputOf(UserSchema);

export function usersGetSelf(options: ResolvedNotionOptions) {
  return defineOperation({
    id: 'notion.users.get_self',
    name: 'users.get_self',
    displayName: 'Get the integration bot user',
    description: "Returns the bot user of the connection's token (GET /v1/users/me): who the integration is and which workspace it belongs to.",
    input: GetSelfInputSchema,
    output: GetSelfOutputSchema,
    scopes: [scopes.identitySelf],
    consumerSurface: { mode: 'common', normalizedId: 'workspace.self', actionName: 'workspace_self' },
    metadata: { sdk: 'users.me', http: 'GET /v1/users/me', schemaStrategy: 'static' },
    handler: (input, ctx) =>
      runOperation(
        {
          capabilityId: 'notion.users.get_self',
          input,
          ctx,
          options,
          call: async (client) => ({ data: expectShape(UserSchema, await client.users.me({}), 'user'), request: { method: 'GET', path: 'users/me' } }),
          summarize: (user) => ({ userId: user.id, userType: user.type ?? null }),
        },
        false,
      ),
  });
}
