import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConnectorError, checksumOf, defineConnector, defineOperation, type ConnectorDefinition } from '@integration/contracts';

const NoteName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'note names are lower-case letters, digits and dashes');

export interface NotesConnectorOptions {
  /** Where notes live; each note is `<directory>/<name>.md`. */
  directory: string;
}

/**
 * An example connector with real effects: notes are files on disk. `notes.note.append` and
 * `notes.note.read` need no credentials (anonymous binding); `notes.note.publish` requires the
 * `notes:publish` scope, so it runs only through a connection.
 */
export function notesConnector(options: NotesConnectorOptions): ConnectorDefinition {
  const pathOf = (name: string) => join(options.directory, `${name}.md`);

  const append = defineOperation({
    id: 'notes.note.append',
    description: 'Append a line to a note (creating it if needed).',
    input: z.strictObject({ name: NoteName, line: z.string().min(1).max(10_000) }),
    output: z.strictObject({ name: NoteName, lines: z.number().int().positive(), bytes: z.number().int().positive(), checksum: z.string() }),
    consumerSurface: { mode: 'common', normalizedId: 'note.append', actionName: 'note_append' },
    async handler(input, ctx) {
      await mkdir(options.directory, { recursive: true });
      await appendFile(pathOf(input.name), `${input.line.replace(/\n/g, ' ')}\n`, { signal: ctx.signal } as never);
      const content = await readFile(pathOf(input.name), 'utf8');
      const lines = content.split('\n').filter(Boolean).length;
      ctx.emit({ type: 'connector.notes.note.appended', stream: 'control', payload: { name: input.name, lines } });
      await ctx.artifact({ type: 'tool_output', slug: 'note_append', content: { name: input.name, appended: input.line, lines } });
      return { name: input.name, lines, bytes: Buffer.byteLength(content), checksum: checksumOf(content) };
    },
  });

  const read = defineOperation({
    id: 'notes.note.read',
    description: 'Read a note.',
    input: z.strictObject({ name: NoteName }),
    output: z.strictObject({ name: NoteName, lines: z.array(z.string()) }),
    consumerSurface: { mode: 'common', normalizedId: 'note.read', actionName: 'note_read' },
    async handler(input, ctx) {
      let content: string;
      try {
        content = await readFile(pathOf(input.name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ConnectorError({ class: 'invalid_request', message: `no note named ${input.name}`, providerCode: 'notes.not_found' });
        }
        throw new ConnectorError({ class: 'unavailable', message: `cannot read note ${input.name}`, cause: error });
      }
      const lines = content.split('\n').filter(Boolean);
      ctx.emit({ type: 'connector.notes.note.read', stream: 'control', payload: { name: input.name, lines: lines.length } });
      await ctx.artifact({ type: 'tool_output', slug: 'note_read', content: { name: input.name, lines: lines.length } });
      return { name: input.name, lines };
    },
  });

  const publish = defineOperation({
    id: 'notes.note.publish',
    description: 'Publish a note: write a signed copy next to it. Requires the notes:publish scope.',
    input: z.strictObject({ name: NoteName }),
    output: z.strictObject({ name: NoteName, publishedBy: z.string(), signature: z.string() }),
    scopes: ['notes:publish'],
    consumerSurface: { mode: 'common', normalizedId: 'note.publish', actionName: 'note_publish' },
    async handler(input, ctx) {
      const token = ctx.lease.payload.api_token;
      if (!token) throw new ConnectorError({ class: 'auth_failed', message: 'the lease carries no api_token' });
      const content = await readFile(pathOf(input.name), 'utf8');
      const signature = checksumOf(`${token}:${content}`);
      await appendFile(join(options.directory, `${input.name}.published`), `${signature}\n`);
      ctx.emit({ type: 'connector.notes.note.published', stream: 'control', payload: { name: input.name } });
      await ctx.artifact({ type: 'tool_output', slug: 'note_publish', content: { name: input.name, signature } });
      return { name: input.name, publishedBy: ctx.lease.subject, signature };
    },
  });

  return defineConnector({
    id: 'notes',
    auth: { type: 'api_token', requestedScopes: ['notes:publish'], leaseFields: ['api_token'] },
    catalog: { displayName: 'Notes', description: 'Notes kept as files on local disk', category: 'example', tags: ['example'], maturity: 'experimental' },
    operations: [append, read, publish],
    conformance: {
      // Replayable fixtures (each runs twice in one environment): append is not, so it has none.
      fixtures: [
        { name: 'read a seeded note', capabilityId: 'notes.note.read', input: { name: 'conformance' }, expect: { output: { name: 'conformance', lines: ['hello', 'world'] }, eventTypes: ['connector.notes.note.read'], artifactTypes: ['tool_output'] } },
        { name: 'publish a seeded note', capabilityId: 'notes.note.publish', input: { name: 'conformance' }, lease: { subject: 'notes-author', scopes: ['notes:publish'], payload: { api_token: 'notes-fixture-token-0001' } }, expect: { eventTypes: ['connector.notes.note.published'], artifactTypes: ['tool_output'] } },
      ],
      // A fresh directory holding one seeded note, removed afterwards.
      setup: async () => {
        const directory = await mkdtemp(join(tmpdir(), 'notes-conformance-'));
        await writeFile(join(directory, 'conformance.md'), 'hello\nworld\n');
        return { connector: notesConnector({ directory }), teardown: () => rm(directory, { recursive: true, force: true }) };
      },
    },
  });
}
