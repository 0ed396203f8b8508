import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notesConnector } from './notes-connector';

export { notesConnector, type NotesConnectorOptions } from './notes-connector';

/** What `pnpm conformance` runs (its fixtures run in their own temporary directory; see `conformance.setup`). */
export const conformanceTargets = [() => notesConnector({ directory: join(tmpdir(), 'notes-conformance') })];
