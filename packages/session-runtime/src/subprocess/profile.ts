import type { IntegrationError } from '@integration/contracts';
import type { ExecutionEvent, RunRequest } from '../driver';

/** Per-session state a profile keeps between turns (e.g. the Codex thread id). Never secrets. */
export type ProfileSessionState = Record<string, unknown>;

export interface ProfileTurn {
  request: RunRequest;
  sessionId: string;
  /** Authored runtime options of the capability. */
  options: Record<string, unknown>;
  cwd: string | null;
  /** State left by the previous turn of this session. */
  state: ProfileSessionState;
}

export interface Invocation {
  /** Arguments after the command (the profile prepends authored `options.args`). */
  args: string[];
  stdin?: string;
  /** Variables added to the scrubbed base environment for this turn only (lease material goes here). */
  env: Record<string, string>;
}

export interface TurnOutcome {
  output: Record<string, unknown>;
  /** A failure the CLI reported in-band (e.g. Codex `turn.failed`) even though it exited 0. */
  error?: IntegrationError;
  state?: ProfileSessionState;
  checkpoint?: string | null;
}

/** Parses one turn's stdout. `line` throws a `malformed_output` error for lines it cannot accept. */
export interface TurnParser {
  line(line: string): ExecutionEvent[];
  finish(): TurnOutcome;
  /** Session state learned so far; kept even when the turn is cancelled (e.g. a started thread). */
  state?(): ProfileSessionState | undefined;
}

/** How to drive one kind of CLI: its command line, its environment and its output protocol. */
export interface SubprocessProfile {
  readonly id: string;
  readonly defaultCommand: string;
  invocation(turn: ProfileTurn): Invocation;
  parser(turn: ProfileTurn): TurnParser;
}

/** Maps lease payload fields to environment variables (`{ access_token: ['CODEX_API_KEY'] }`). */
export function leaseEnv(request: RunRequest, mapping: Record<string, string[]>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [field, names] of Object.entries(mapping)) {
    const value = request.lease.payload[field];
    if (typeof value !== 'string' || value.length === 0) continue;
    for (const name of names) env[name] = value;
  }
  return env;
}

export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function stringRecord(value: unknown): Record<string, string[]> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string[]> = {};
  for (const [key, names] of Object.entries(value as Record<string, unknown>)) {
    out[key] = typeof names === 'string' ? [names] : stringArray(names);
  }
  return out;
}
