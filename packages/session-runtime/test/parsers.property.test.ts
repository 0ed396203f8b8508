import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIntegrationError, KnownSecrets } from '@integration/contracts';
import { codexProfile, jsonlProfile, parseJsonLine, type ProfileTurn } from '../src';
import { contextFor } from './helpers';

const turn = (): ProfileTurn => {
  const context = contextFor();
  return {
    request: { runId: context.runId, attemptId: context.attemptId, turn: 1, prompt: 'p', input: {}, cursor: null, lease: context.lease, secrets: KnownSecrets.none, timeoutMs: 1000, context },
    sessionId: 'sess_x',
    options: {},
    cwd: null,
    state: {},
  };
};

const onlyMalformed = (fn: () => unknown) => {
  try {
    fn();
    return true;
  } catch (error) {
    return isIntegrationError(error) && error.code === 'malformed_output';
  }
};

describe('JSONL parsing (properties)', () => {
  it('any string either parses to an object with a string type or is malformed_output', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        let parsed: unknown;
        const ok = onlyMalformed(() => {
          parsed = parseJsonLine(line, 1, 'p');
        });
        if (parsed) expect(typeof (parsed as { type: unknown }).type).toBe('string');
        return ok;
      }),
    );
  });

  it('round-trips every JSON object that has a non-empty string type', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (rest, type) => {
        const value = { ...rest, type };
        expect(parseJsonLine(JSON.stringify(value), 1, 'p')).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('the malformed message never echoes the line', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }).filter((s) => !s.trim().startsWith('{') && !s.includes('stdout line')), (line) => {
        try {
          parseJsonLine(line, 3, 'p');
        } catch (error) {
          expect((error as Error).message).not.toContain(line);
          expect(JSON.stringify((error as { details: unknown }).details)).not.toContain(line);
        }
      }),
    );
  });

  it('codex and jsonl parsers only ever throw malformed_output, whatever the stream', () => {
    const codexEvent = fc.oneof(
      fc.constant('{"type":"thread.started","thread_id":"t1"}'),
      fc.constant('{"type":"turn.started"}'),
      fc.constant('{"type":"item.completed","item":{"type":"agent_message","text":"hi"}}'),
      fc.constant('{"type":"turn.completed","usage":{"input_tokens":1}}'),
      fc.constant('{"type":"thread.started"}'),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(fc.array(codexEvent, { maxLength: 12 }), (lines) => {
        for (const profile of [codexProfile, jsonlProfile]) {
          const parser = profile.parser(turn());
          const ok = onlyMalformed(() => {
            for (const line of lines) parser.line(line);
            parser.finish();
          });
          if (!ok) return false;
        }
        return true;
      }),
    );
  });
});
