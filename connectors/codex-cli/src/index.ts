export { codexCli, fakeCodexPath, CODEX_EXEC_SESSION, type CodexCliOptions } from './codex-cli';
export { CodexExecInputSchema, CodexExecOutputSchema, type CodexExecInput, type CodexExecOutput } from './schemas';
