import { canonicalJson } from '@integration/contracts';
import { runtimeError } from '../errors';
import { leaseEnv, stringRecord, type ProfileTurn, type SubprocessProfile, type TurnParser } from './profile';

const MAX_CAPTURED_LINES = 1_000;

/**
 * Runs an authored shell script (`options.script`, never taken from input) with `/bin/sh -c`.
 * The prompt goes to stdin, the input as JSON in `INTEGRATION_INPUT`; every stdout line becomes a
 * `shell.stdout` event and the output is `{ stdout, lines }`.
 */
export const shellProfile: SubprocessProfile = {
  id: 'shell',
  defaultCommand: '/bin/sh',
  invocation(turn: ProfileTurn) {
    const script = turn.options.script;
    if (typeof script !== 'string' || script.length === 0) {
      throw runtimeError('invalid_request', 'the shell profile needs an authored runtime.options.script', { profile: 'shell' });
    }
    return {
      args: ['-c', script],
      stdin: turn.request.prompt,
      env: {
        ...leaseEnv(turn.request, stringRecord(turn.options.leaseEnv)),
        INTEGRATION_INPUT: canonicalJson(turn.request.input ?? null),
        INTEGRATION_TURN: String(turn.request.turn),
      },
    };
  },
  parser(): TurnParser {
    const lines: string[] = [];
    let total = 0;
    return {
      line(line) {
        total += 1;
        if (lines.length < MAX_CAPTURED_LINES) lines.push(line);
        return [{ type: 'shell.stdout', stream: 'stdout', payload: { line } }];
      },
      finish() {
        return { output: { stdout: lines.join('\n'), lines: total } };
      },
    };
  },
};
