import type { ArtifactInput } from '@integration/contracts';
import type { ExecutionEvent, RunRequest } from '../driver';

export interface SessionTypeInit {
  sessionId: string;
  provider: string | null;
  options: Record<string, unknown>;
  cwd: string | null;
}

export interface TurnContext {
  signal: AbortSignal;
  emit(event: ExecutionEvent): void;
}

export interface TurnResult<S> {
  output: Record<string, unknown>;
  /** The session state after the turn (kept for the next one); unchanged when omitted. */
  state?: S;
  /** Stream pulls: the cursor to checkpoint. */
  checkpoint?: string | null;
  artifacts?: ArtifactInput[];
}

/**
 * A session implemented in TypeScript and run by the `in-process` kernel. `turn` may throw an
 * IntegrationError (e.g. a ConnectorError) to fail the attempt; it should honour `ctx.signal`.
 */
export interface SessionType<S = unknown> {
  start?(init: SessionTypeInit): Promise<S> | S;
  turn(state: S, request: RunRequest, ctx: TurnContext): Promise<TurnResult<S>>;
  stop?(state: S): Promise<void> | void;
}

export function isSessionType(value: unknown): value is SessionType {
  return !!value && typeof value === 'object' && typeof (value as SessionType).turn === 'function';
}

/** Deterministic demo session: replies `handled: <prompt>` and counts messages. */
export const localEchoSessionType: SessionType<{ messages: number }> = {
  start: () => ({ messages: 0 }),
  async turn(state, request, ctx) {
    const reply = `handled: ${request.prompt.trim()}`;
    ctx.emit({ type: 'session.run_started', payload: { prompt: request.prompt, sessionType: 'local_echo' } });
    ctx.emit({ type: 'session.assistant_message', stream: 'assistant', payload: { role: 'assistant', content: reply } });
    const messages = state.messages + 2;
    return { output: { reply, messageCount: messages }, state: { messages } };
  },
};
