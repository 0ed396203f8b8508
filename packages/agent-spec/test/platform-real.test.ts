import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { createPlatform, generateSealingKey } from '@integration/platform';
import { capabilityActions, chat, importAgent, type Llm } from '../src';
import { asyncErrorOf } from './support/fixtures';
import { notesConnector } from './support/notes-connector';

const notesYaml = `version: 1
agent:
  id: notes_agent
  instructions: Keep notes for the user.
tools:
  actions: [create_note, search_notes]
`;

describe('capabilityActions with the real platform', () => {
  it("an imported agent's tool call runs through createPlatform's invoke pipeline and is recorded", async () => {
    const store = new Map<string, string>();
    const platform = await createPlatform({ connectors: [notesConnector(store)], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
    try {
      const spec = importAgent(notesYaml, { actions: await capabilityActions(platform, { actorId: 'agent:notes_agent' }) });
      const llm: Llm = (_intent, journal) =>
        journal.results.length === 0
          ? { type: 'operation', name: 'create_note', arguments: { title: 'groceries', body: 'milk' } }
          : { type: 'final', content: 'saved' };
      await expect(chat(spec, 'remember milk', { llm })).resolves.toBe('saved');
      expect(store.get('groceries')).toBe('milk');
      const runs = await platform.runs();
      expect(runs.map((run) => [run.capabilityId, run.status])).toEqual([['notes.note.create', 'completed']]);

      // Input the capability rejects fails inside the agent turn with a typed error.
      const bad = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'operation', name: 'search_notes', arguments: { query: 1 } }) }));
      expect(bad.code).toBe('agent_operation_failed');
    } finally {
      await platform.close();
    }
  });
});

describe('capabilityActions bound to a connection', () => {
  it('the agent invokes with the connection; the handler sees the lease; a revoked connection fails the turn', async () => {
    const seen: string[] = [];
    const whoami = defineOperation({
      id: 'vault.identity.read',
      description: 'Reads the caller identity.',
      input: z.strictObject({}),
      output: z.object({ subject: z.string() }),
      scopes: ['vault:read'],
      consumerSurface: { mode: 'common', normalizedId: 'identity.read', actionName: 'whoami' },
      handler: async (_input, ctx) => {
        seen.push(ctx.lease.payload.api_token ?? '');
        return { subject: ctx.lease.subject };
      },
    });
    const vault = defineConnector({
      id: 'vault',
      auth: { type: 'api_token', requestedScopes: ['vault:read'], leaseFields: ['api_token'] },
      catalog: { displayName: 'Vault' },
      operations: [whoami],
    });
    const platform = await createPlatform({ connectors: [vault], secrets: { keys: { k1: generateSealingKey() }, activeKeyId: 'k1' } });
    try {
      const started = await platform.startInstall('vault', 'tenant-a', { subject: 'alice', actorId: 'ops', requestedScopes: ['vault:read'] });
      const { connection } = await platform.completeInstall(started.install.installId, {
        callbackToken: started.callbackToken,
        subject: 'alice',
        secret: { api_token: 'canary-token-5f1e2d3c4b' },
        grantedScopes: ['vault:read'],
      });
      const actions = await capabilityActions(platform, { connectionId: connection.connectionId });
      const spec = importAgent('agent: {id: vault_agent}\ntools: {actions: [whoami]}', { actions });
      const llm: Llm = (_i, journal) =>
        journal.results.length === 0 ? { type: 'operation', name: 'whoami', arguments: {} } : { type: 'final', content: JSON.stringify(journal.results[1]!.output) };
      await expect(chat(spec, 'who am I?', { llm })).resolves.toBe('{"subject":"alice"}');
      expect(seen).toEqual(['canary-token-5f1e2d3c4b']);
      const runs = await platform.runs();
      expect(runs.map((run) => [run.capabilityId, run.status, run.credentialRef?.connectionId])).toEqual([['vault.identity.read', 'completed', connection.connectionId]]);

      await platform.revokeConnection(connection.connectionId, { reason: 'offboarding' });
      const refused = await asyncErrorOf(() => chat(spec, 'who am I?', { llm }));
      expect(refused.code).toBe('agent_operation_failed');
      expect(refused.details.reason).toMatchObject({ operation: 'whoami', cause: { code: 'connection_revoked' } });
      expect(JSON.stringify(refused.toJSON())).not.toContain('canary-token-5f1e2d3c4b');
    } finally {
      await platform.close();
    }
  });
});
