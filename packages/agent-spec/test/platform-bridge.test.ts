import { describe, expect, it } from 'vitest';
import { capabilityActions, capabilityResources, chat, importAgent, runTurn, type Llm } from '../src';
import { asyncErrorOf } from './support/fixtures';
import { minimalInvoker, notesConnector } from './support/notes-connector';

const notesYaml = `version: 1
agent:
  id: notes_agent
  instructions: Keep notes for the user.
tools:
  actions:
    - create_note
    - notes.note.search
`;

const createThenAnswer: Llm = (_intent, journal) =>
  journal.results.length === 0
    ? { type: 'operation', name: 'create_note', arguments: { title: 'groceries', body: 'milk' } }
    : { type: 'final', content: `saved ${JSON.stringify(journal.results[1]!.output)}` };

describe('capabilityActions: connector capabilities as an actions registry', () => {
  it('keys each operation capability by tool name and by capability id; triggers and others are filtered', async () => {
    const connector = notesConnector();
    const { platform } = minimalInvoker(connector.capabilities, { connectionId: 'conn_1' });
    const actions = await capabilityActions(platform, { connectionId: 'conn_1' });
    expect([...actions.keys()].sort()).toEqual(['create_note', 'notes.admin.purge', 'notes.note.create', 'notes.note.search', 'notes_admin_purge', 'search_notes'].sort());
    const create = actions.get('create_note')!;
    expect(actions.get('notes.note.create')).toBe(create);
    expect(create).toMatchObject({ name: 'create_note', description: 'Creates a note.', metadata: { capabilityId: 'notes.note.create', connectorId: 'notes', runtimeClass: 'direct' } });
    expect(create.parametersSchema).toMatchObject({ type: 'object', required: ['title'] });
    const only = await capabilityActions(platform, { capabilityIds: ['notes.note.search'] });
    expect([...only.keys()]).toEqual(['search_notes', 'notes.note.search']);
    const missing = await asyncErrorOf(() => capabilityActions(platform, { capabilityIds: ['notes.note.nope'] }));
    expect(missing.details.reason).toEqual({ kind: 'unknown_capability', capabilityIds: ['notes.note.nope'] });
  });

  it("an imported agent's tool call invokes the platform with the connection", async () => {
    const store = new Map<string, string>();
    const connector = notesConnector(store);
    const { platform, requests } = minimalInvoker(connector.capabilities, { connectionId: 'conn_1' });
    const spec = importAgent(notesYaml, { actions: await capabilityActions(platform, { connectionId: 'conn_1' }) });
    expect(spec.operations.map((op) => op.name)).toEqual(['create_note', 'search_notes']);
    const answer = await chat(spec, 'remember milk', { llm: createThenAnswer });
    expect(answer).toBe('saved {"title":"groceries","size":4}');
    expect(store.get('groceries')).toBe('milk');
    expect(requests).toEqual([{ connectionId: 'conn_1', capabilityId: 'notes.note.create', input: { title: 'groceries', body: 'milk' } }]);
  });

  it('bad arguments never reach the platform; platform errors surface as agent_operation_failed', async () => {
    const connector = notesConnector();
    const { platform, requests } = minimalInvoker(connector.capabilities, { connectionId: 'conn_1' });
    const spec = importAgent(notesYaml, { actions: await capabilityActions(platform, { connectionId: 'conn_1' }) });
    const bad = await asyncErrorOf(() => chat(spec, 'x', { llm: () => ({ type: 'operation', name: 'create_note', arguments: { title: '' } }) }));
    expect(bad.code).toBe('agent_operation_failed');
    expect(requests).toEqual([]);

    const wrongConnection = importAgent(notesYaml, { actions: await capabilityActions(platform, { connectionId: 'conn_2' }) });
    const refused = await asyncErrorOf(() => chat(wrongConnection, 'x', { llm: createThenAnswer }));
    expect(refused.code).toBe('agent_operation_failed');
    expect(refused.details.reason).toMatchObject({ kind: 'operation_failed', operation: 'create_note', cause: { code: 'unknown_connection' } });
  });

  it('capabilityResources groups a connector into one resource', async () => {
    const store = new Map([['alpha', ''], ['beta', '']]);
    const { platform } = minimalInvoker(notesConnector(store).capabilities, { connectionId: 'conn_1' });
    const resources = await capabilityResources(platform, { connectionId: 'conn_1' });
    const spec = importAgent('agent: {id: notes_agent}\ntools: {resources: [{ref: notes, actions: [search_notes]}]}', { resources });
    expect(spec.operations.map((op) => [op.name, op.metadata.resource, op.metadata.capabilityId])).toEqual([['search_notes', 'notes', 'notes.note.search']]);
    const result = await runTurn(spec, 'x', {
      llm: (_i, j) => (j.results.length === 0 ? { type: 'operation', name: 'search_notes', arguments: { query: 'a' } } : { type: 'final', content: 'ok' }),
    });
    expect(result.operationResults[0]!.output).toEqual({ titles: ['alpha', 'beta'] });
  });

  it('rejects bad options and colliding tool names with typed errors', async () => {
    const { platform } = minimalInvoker(notesConnector().capabilities, { connectionId: 'conn_1' });
    expect((await asyncErrorOf(() => capabilityActions(platform, { connectionId: '' }))).code).toBe('invalid_argument');
    const twice = minimalInvoker([...notesConnector().capabilities, ...notesConnector().capabilities], { connectionId: 'c' });
    expect((await asyncErrorOf(() => capabilityActions(twice.platform))).details.reason).toMatchObject({ kind: 'duplicate_action_name' });
  });
});
