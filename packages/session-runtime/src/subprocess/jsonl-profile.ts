import { canonicalJson } from '@integration/contracts';
import { runtimeError } from '../errors';
import type { EventLevel, EventStream } from '@integration/contracts';
import type { ExecutionEvent } from '../driver';
import { objectOr, parseJsonLine } from './jsonl';
import { leaseEnv, stringRecord, type ProfileTurn, type SubprocessProfile, type TurnParser } from './profile';

const streams = new Set(['assistant', 'stdout', 'stderr', 'system', 'control']);
const levels = new Set(['debug', 'info', 'warn', 'error']);

/**
 * A generic JSONL protocol for CLIs written for this platform. stdin: one JSON object
 * `{ sessionId, turn, prompt, input, cursor, state }`. stdout, one object per line:
 * - `{ "type": "<event>", "stream"?, "level"?, "payload"? }` — an execution event;
 * - `{ "type": "state", "state": {...} }` — session state handed back on the next turn;
 * - `{ "type": "result", "output": {...}, "checkpoint"?: "..." }` — the turn's result (exactly one);
 * - `{ "type": "error", "message": "...", "retryable"?: bool }` — the turn failed.
 * Lease fields reach the CLI only through variables named by `options.leaseEnv`.
 */
export const jsonlProfile: SubprocessProfile = {
  id: 'jsonl',
  defaultCommand: 'integration-session',
  invocation(turn: ProfileTurn) {
    const { request } = turn;
    const stdin = `${canonicalJson({
      sessionId: turn.sessionId,
      turn: request.turn,
      prompt: request.prompt,
      input: request.input ?? null,
      cursor: request.cursor,
      state: turn.state,
    })}\n`;
    return { args: [], stdin, env: leaseEnv(request, stringRecord(turn.options.leaseEnv)) };
  },
  parser(turn: ProfileTurn): TurnParser {
    let lineNumber = 0;
    let state = turn.state;
    let result: { output: Record<string, unknown>; checkpoint: string | null } | null = null;
    let failure: { message: string; retryable: boolean } | null = null;
    return {
      line(line) {
        lineNumber += 1;
        if (line.trim().length === 0) return [];
        const event = parseJsonLine(line, lineNumber, 'jsonl');
        if (result || failure) {
          throw runtimeError('malformed_output', `jsonl: line ${lineNumber} follows the terminal result`, {
            profile: 'jsonl',
            lineNumber,
            reason: 'after_result',
          });
        }
        switch (event.type) {
          case 'state':
            state = objectOr(event.state);
            return [];
          case 'result': {
            const checkpoint = event.checkpoint;
            if (checkpoint !== undefined && checkpoint !== null && typeof checkpoint !== 'string') {
              throw runtimeError('malformed_output', `jsonl: checkpoint on line ${lineNumber} must be a string`, {
                profile: 'jsonl',
                lineNumber,
                reason: 'invalid_checkpoint',
              });
            }
            result = { output: objectOr(event.output), checkpoint: (checkpoint as string | undefined) ?? null };
            return [];
          }
          case 'error':
            failure = { message: String(event.message ?? 'subprocess reported an error'), retryable: event.retryable === true };
            return [{ type: 'jsonl.error', level: 'error', payload: { message: failure.message } }];
          default: {
            const ev: ExecutionEvent = { type: event.type, payload: objectOr(event.payload) };
            if (typeof event.stream === 'string' && streams.has(event.stream)) ev.stream = event.stream as EventStream;
            if (typeof event.level === 'string' && levels.has(event.level)) ev.level = event.level as EventLevel;
            return [ev];
          }
        }
      },
      finish() {
        if (failure) {
          return {
            output: {},
            state,
            error: runtimeError('session_failed', failure.message, { profile: 'jsonl' }, { retryable: failure.retryable }),
          };
        }
        if (!result) throw runtimeError('malformed_output', 'jsonl: output ended without a result line', { profile: 'jsonl', reason: 'no_result' });
        return { output: result.output, checkpoint: result.checkpoint, state };
      },
    };
  },
};
