import { runtimeError } from '../errors';
import type { ExecutionEvent } from '../driver';
import { objectOr, parseJsonLine } from './jsonl';
import { leaseEnv, stringRecord, type ProfileTurn, type SubprocessProfile, type TurnParser } from './profile';

const sandboxModes = { strict: 'read-only', standard: 'workspace-write', none: 'danger-full-access' } as const;

/** Lease fields → variables the Codex CLI reads its API key from. */
export const CODEX_LEASE_ENV: Record<string, string[]> = { access_token: ['CODEX_API_KEY', 'OPENAI_API_KEY'] };

/**
 * `codex exec --json`: the first turn starts a thread, later turns `resume <thread id>`. The prompt
 * goes to stdin, the API key to the environment; argv carries neither.
 */
export const codexProfile: SubprocessProfile = {
  id: 'codex',
  defaultCommand: 'codex',
  invocation(turn: ProfileTurn) {
    const args = ['exec', '--json', '--skip-git-repo-check'];
    const level = turn.request.context.executionPolicy.sandbox.level;
    args.push('--sandbox', sandboxModes[level] ?? 'read-only');
    if (turn.cwd) args.push('--cd', turn.cwd);
    if (typeof turn.options.model === 'string') args.push('--model', turn.options.model);
    const threadId = typeof turn.state.threadId === 'string' ? turn.state.threadId : null;
    if (threadId) args.push('resume', threadId);
    const mapping = Object.keys(stringRecord(turn.options.leaseEnv)).length > 0 ? stringRecord(turn.options.leaseEnv) : CODEX_LEASE_ENV;
    return { args, stdin: turn.request.prompt, env: leaseEnv(turn.request, mapping) };
  },
  parser(turn: ProfileTurn): TurnParser {
    let lineNumber = 0;
    let threadId = typeof turn.state.threadId === 'string' ? turn.state.threadId : null;
    let reply: string | null = null;
    let completed = false;
    let failure: string | null = null;
    return {
      line(line) {
        lineNumber += 1;
        if (line.trim().length === 0) return [];
        const event = parseJsonLine(line, lineNumber, 'codex');
        const out: ExecutionEvent[] = [];
        switch (event.type) {
          case 'thread.started': {
            if (typeof event.thread_id !== 'string' || event.thread_id.length === 0) {
              throw runtimeError('malformed_output', `codex: thread.started on line ${lineNumber} has no thread_id`, {
                profile: 'codex',
                lineNumber,
                reason: 'missing_thread_id',
              });
            }
            threadId = event.thread_id;
            out.push({ type: 'codex.thread.started', payload: { threadId } });
            break;
          }
          case 'turn.started':
            out.push({ type: 'codex.turn.started', payload: {} });
            break;
          case 'item.started':
          case 'item.updated':
          case 'item.completed': {
            const item = objectOr(event.item);
            const itemType = typeof item.type === 'string' ? item.type : 'unknown';
            if (event.type === 'item.completed' && itemType === 'agent_message' && typeof item.text === 'string') reply = item.text;
            out.push({
              type: `codex.${event.type}`,
              stream: itemType === 'agent_message' ? 'assistant' : 'stdout',
              payload: { item },
            });
            break;
          }
          case 'turn.completed':
            completed = true;
            out.push({ type: 'codex.turn.completed', payload: { usage: objectOr(event.usage) } });
            break;
          case 'turn.failed': {
            failure = String(objectOr(event.error).message ?? 'turn failed');
            out.push({ type: 'codex.turn.failed', level: 'error', payload: { error: objectOr(event.error) } });
            break;
          }
          case 'error':
            failure = String(event.message ?? 'codex error');
            out.push({ type: 'codex.error', level: 'error', payload: { message: failure } });
            break;
          default:
            // Unknown event types are tolerated (the protocol grows); they are kept as evidence.
            out.push({ type: `codex.${event.type}`, payload: { event } });
        }
        return out;
      },
      state() {
        return threadId ? { threadId } : undefined;
      },
      finish() {
        const state = threadId ? { threadId } : {};
        if (failure !== null) {
          return {
            output: {},
            state,
            error: runtimeError('session_failed', `codex turn failed: ${failure}`, { profile: 'codex', threadId }, { retryable: true }),
          };
        }
        if (!threadId) {
          throw runtimeError('malformed_output', 'codex: output ended without thread.started', { profile: 'codex', reason: 'no_thread' });
        }
        if (!completed) {
          throw runtimeError('malformed_output', 'codex: output ended without turn.completed', { profile: 'codex', reason: 'no_turn_completed' });
        }
        // Thread id, usage and items are evidence in the events; the output stays the turn's reply.
        return { output: { reply: reply ?? '' }, state };
      },
    };
  },
};
