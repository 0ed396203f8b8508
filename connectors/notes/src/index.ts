export { notesConnector, type NotesConnectorOptions } from './notes-connector';
