import type { AgentSpec, Operation } from './spec';

export type ControlBoundary = 'input' | 'operation' | 'output';

/** What a control returns: `'allow'`, or a decision object; anything else is an invalid decision. */
export type ControlDecisionInput =
  | 'allow'
  | { decision: 'allow' }
  | { decision: 'block'; reason?: string }
  | { decision: 'interrupt'; reason?: string };

interface ControlContextBase {
  spec: AgentSpec;
  /** The entry's `metadata` from the document (or defineAgent). */
  metadata: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type ControlContext =
  | (ControlContextBase & { boundary: 'input'; input: string })
  | (ControlContextBase & {
      boundary: 'operation';
      operation: Operation;
      kind: string;
      source: string | null;
      arguments: Record<string, unknown>;
    })
  | (ControlContextBase & { boundary: 'output'; content: string; value: unknown });
