import { z } from 'zod';
import {
  defineConnector,
  defineOperation,
  integrationError,
  silentLogger,
  systemClock,
  type Capability,
  type HandlerContext,
} from '@integration/contracts';
import type { CapabilityInvokeRequest, CapabilityPlatform } from '../../src';

/** A real local connector: notes kept in a Map, with common and connector-local operations. */
export function notesConnector(store = new Map<string, string>()) {
  const create = defineOperation({
    id: 'notes.note.create',
    displayName: 'Create note',
    description: 'Creates a note.',
    input: z.strictObject({ title: z.string().min(1), body: z.string().default('') }),
    output: z.object({ title: z.string(), size: z.number().int() }),
    consumerSurface: { mode: 'common', normalizedId: 'note.create', actionName: 'create_note' },
    handler: async (input) => {
      store.set(input.title, input.body);
      return { title: input.title, size: input.body.length };
    },
  });
  const search = defineOperation({
    id: 'notes.note.search',
    displayName: 'Search notes',
    description: 'Finds notes whose title contains the query.',
    input: z.strictObject({ query: z.string() }),
    output: z.object({ titles: z.array(z.string()) }),
    consumerSurface: { mode: 'common', normalizedId: 'note.search', actionName: 'search_notes' },
    handler: async (input) => ({ titles: [...store.keys()].filter((t) => t.includes(input.query)).sort() }),
  });
  const purge = defineOperation({
    id: 'notes.admin.purge',
    description: 'Deletes every note.',
    input: z.strictObject({ confirm: z.literal(true) }),
    output: z.object({ deleted: z.number().int() }),
    consumerSurface: { mode: 'connector_local', reason: 'destructive admin operation' },
    handler: async () => {
      const deleted = store.size;
      store.clear();
      return { deleted };
    },
  });
  return defineConnector({
    id: 'notes',
    auth: { type: 'none', bindingKind: 'none' },
    catalog: { displayName: 'Notes' },
    operations: [create, search, purge],
  });
}

/**
 * A minimal invoker for the bridge tests: validates the input with the capability's input
 * schema, calls its handler with a handler context, and validates the output.
 */
export function minimalInvoker(capabilities: Capability[], options: { connectionId: string }) {
  const requests: CapabilityInvokeRequest[] = [];
  const platform: CapabilityPlatform = {
    capabilities: async () => capabilities,
    invoke: async (request) => {
      requests.push(request);
      const capability = capabilities.find((c) => c.id === request.capabilityId);
      if (!capability?.handler) throw integrationError('unknown_capability', `unknown capability ${request.capabilityId}`);
      if (request.connectionId !== options.connectionId) throw integrationError('unknown_connection', 'unknown connection');
      const input = capability.inputSchema.safeParse(request.input);
      if (!input.success) throw integrationError('invalid_input', `invalid input for ${capability.id}`);
      const now = new Date().toISOString();
      const ctx = {
        lease: { leaseId: 'lease_1', credentialRefId: 'cred_1', connectionId: options.connectionId, subject: 'tests', scopes: [], payload: {}, issuedAt: now, expiresAt: now },
        runId: 'run_1',
        attempt: 1,
        attemptId: 'run_1:1',
        signal: new AbortController().signal,
        logger: silentLogger,
        idempotencyKey: null,
        tenantId: null,
        actorId: null,
        executionPolicy: {} as HandlerContext['executionPolicy'],
        target: null,
        extensions: {},
        clock: systemClock,
        emit: () => undefined,
        artifact: async () => {
          throw new Error('no artifacts in this test');
        },
      } satisfies HandlerContext;
      const output = await capability.handler(input.data, ctx);
      return { output: capability.outputSchema ? capability.outputSchema.parse(output) : output };
    },
  };
  return { platform, requests };
}
