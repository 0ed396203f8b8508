import { fileURLToPath } from 'node:url';
import { defineConnector, defineOperation, type ConnectorDefinition } from '@integration/contracts';
import { CodexExecInputSchema, CodexExecOutputSchema } from './schemas';

export interface CodexCliOptions {
  /** The executable (default `codex` on PATH). */
  command?: string;
  /** Arguments placed before `exec …` (e.g. a script path when `command` is `node`). */
  args?: string[];
  /** `--model` for every turn. */
  model?: string;
  /** Upper bound of one turn. Default 10 minutes. */
  timeoutMs?: number;
}

export const CODEX_EXEC_SESSION = 'codex.exec.session';

/** Path of the bundled fake `codex` CLI used by the conformance fixtures (speaks `exec --json`). */
export const fakeCodexPath = (): string => fileURLToPath(new URL('../fixtures/fake-codex.mjs', import.meta.url));

/**
 * The Codex CLI session connector. `codex.exec.session` runs on the `session` runtime with the
 * `subprocess` driver (provider `codex`): successive invokes on one connection are turns of one
 * Codex thread (`codex exec --json`, then `codex exec --json resume <thread id>`). The lease's
 * `access_token` reaches the CLI only through `CODEX_API_KEY`/`OPENAI_API_KEY`.
 */
export function codexCli(options: CodexCliOptions = {}): ConnectorDefinition {
  const runtimeOptions: Record<string, unknown> = {};
  if (options.command) runtimeOptions.command = options.command;
  if (options.args) runtimeOptions.args = [...options.args];
  if (options.model) runtimeOptions.model = options.model;

  const execSession = defineOperation({
    id: CODEX_EXEC_SESSION,
    name: 'codex_exec_session',
    displayName: 'Codex exec session turn',
    description: 'Runs one turn of a Codex CLI session; later invokes on the same connection resume the same thread.',
    runtimeClass: 'session',
    transport: 'stdio',
    input: CodexExecInputSchema,
    output: CodexExecOutputSchema,
    scopes: ['session:execute'],
    runtime: { driver: 'subprocess', provider: 'codex', options: runtimeOptions },
    runtimeFamily: { sessionAffinity: 'connection', resumable: true, approvalRequired: true, streamCapable: true, runtimeRef: 'session' },
    policy: {
      environment: { allowed: ['prod'] },
      sandbox: {
        level: 'strict',
        egress: 'restricted',
        approvals: 'manual',
        fileScope: '/workspaces/codex_cli',
        allowedTools: ['codex.exec.session'],
      },
    },
    consumerSurface: { mode: 'common', normalizedId: 'codex.exec.session', actionName: 'codex_exec_session' },
    timeoutMs: options.timeoutMs ?? 600_000,
  });

  return defineConnector({
    id: 'codex_cli',
    auth: { type: 'api_token', bindingKind: 'connection_id', requestedScopes: ['session:execute'], leaseFields: ['access_token'] },
    catalog: {
      displayName: 'Codex CLI',
      description: 'Agent sessions through the OpenAI Codex CLI (`codex exec --json`).',
      category: 'developer_tools',
      tags: ['codex', 'agent', 'session'],
      maturity: 'beta',
      publication: 'public',
    },
    operations: [execSession],
    conformance: {
      fixtures: [
        {
          name: 'one turn through the fake codex CLI',
          capabilityId: CODEX_EXEC_SESSION,
          input: { prompt: 'Summarize the README' },
          lease: { subject: 'codex-user', scopes: ['session:execute'], payload: { access_token: 'codex-fixture-token-000' } },
          expect: {
            eventTypes: [
              'attempt.started',
              'session.started',
              'subprocess.spawned',
              'codex.thread.started',
              'codex.turn.started',
              'codex.item.completed',
              'codex.item.completed',
              'codex.turn.completed',
              'connector.codex_cli.turn.completed',
              'attempt.completed',
            ],
            artifactTypes: ['event_log'],
          },
        },
      ],
      // Points the connector at the bundled fake CLI; run it on a session runtime from
      // `createSessionRuntime()` (@integration/session-runtime).
      setup: async () => ({ connector: codexCli({ ...options, command: process.execPath, args: [fakeCodexPath()] }) }),
    },
    metadata: { provider: 'openai-codex-cli', protocol: 'codex exec --json (JSONL)' },
  });
}
