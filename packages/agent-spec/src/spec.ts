import type { z } from 'zod';
import type { Idempotency, OperationKind } from './document-schema';
import type { ActionDefinition, ControlDefinition, ResourceDefinition } from './definitions';
import type { ImportFormat } from './decode';

export interface ModelRef {
  provider: string;
  id: string;
}

export interface Generation {
  params: Record<string, unknown>;
  providerOptions: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface ApprovalPolicy {
  required: boolean;
  mode: 'pre_execution';
  reason: string;
  message: string | null;
  ttlMs: number | null;
  metadata: Record<string, unknown>;
}

/** An approval declared on a tool source entry; `only`/`except` limit it to some operations. */
export interface EntryApproval extends ApprovalPolicy {
  only: string[] | null;
  except: string[] | null;
}

/** One tool the model may call. Both authoring paths produce exactly this. */
export interface Operation {
  name: string;
  description: string | null;
  idempotency: Idempotency;
  approval: ApprovalPolicy | null;
  metadata: Record<string, unknown>;
  /** JSON Schema for the arguments, shown to the model. */
  parametersSchema: Record<string, unknown> | null;
  /** Which declaration produced it: a tool source or the explicit `operations` list. */
  origin: 'action' | 'resource' | 'browser' | 'mcp' | 'declared';
  /** The executable behind it, when the declaration carries one (actions and resources). */
  action: ActionDefinition | null;
}

export interface OperationMatch {
  kind?: OperationKind;
  name?: string;
  source?: string;
  idempotency?: Idempotency;
  metadata?: Record<string, unknown>;
}

export interface BoundaryControl {
  control: ControlDefinition;
  metadata: Record<string, unknown>;
}

export interface OperationControl extends BoundaryControl {
  match: OperationMatch;
}

export interface Controls {
  maxTurns: number | null;
  timeoutMs: number | null;
  inputs: BoundaryControl[];
  operations: OperationControl[];
  outputs: BoundaryControl[];
  metadata: Record<string, unknown>;
}

export interface ResultSpec {
  schema: z.ZodType;
  maxRepairs: number;
  metadata: Record<string, unknown>;
}

export interface MemorySpec {
  enabled: boolean;
  scope: 'agent' | 'session';
  namespace: string | null;
  capture: 'manual' | 'conversation' | 'off';
  inject: 'instructions' | 'context';
  maxEntries: number;
  metadata: Record<string, unknown>;
}

export interface McpToolSpec {
  name: string;
  description: string | null;
  inputSchema: Record<string, unknown> | null;
}

/** A declared tool source, kept so the spec can be inspected and exported as written. */
export type ToolSource =
  | { source: 'action'; action: ActionDefinition; approval: EntryApproval | null }
  | {
      source: 'resource';
      resource: ResourceDefinition;
      actions: string[] | null;
      description: string | null;
      idempotency: Idempotency | null;
      approval: EntryApproval | null;
      metadata: Record<string, unknown>;
    }
  | {
      source: 'browser';
      name: string;
      mode: 'search' | 'read_only';
      allow: string[];
      description: string | null;
      idempotency: Idempotency | null;
      approval: EntryApproval | null;
      metadata: Record<string, unknown>;
    }
  | {
      source: 'mcp';
      endpoint: string;
      prefix: string;
      required: boolean;
      transport: Record<string, unknown>;
      clientInfo: Record<string, unknown>;
      protocolVersion: string | null;
      capabilities: Record<string, unknown>;
      timeouts: Record<string, unknown>;
      tools: McpToolSpec[];
      description: string | null;
      idempotency: Idempotency | null;
      approval: EntryApproval | null;
      metadata: Record<string, unknown>;
    };

export interface ImportWarning {
  kind: 'unknown_key';
  path: string;
  key: string;
}

/** Where a spec came from. Not part of the parity projection. */
export type Provenance =
  | { kind: 'define' }
  | {
      kind: 'import';
      version: 1;
      source: { kind: 'string'; format: ImportFormat } | { kind: 'object' } | { kind: 'file'; path: string; format: ImportFormat };
      /** Registry refs the document used for schemas (exportAgent writes them back). */
      refs: { contextSchema: string | null; resultSchema: string | null };
      warnings: ImportWarning[];
    };

/** The compiled agent. `defineAgent` and `importAgent` both return this shape. */
export interface AgentSpec {
  id: string;
  instructions: string;
  model: ModelRef;
  generation: Generation;
  contextSchema: z.ZodType | null;
  result: ResultSpec | null;
  memory: MemorySpec | null;
  tools: ToolSource[];
  operations: Operation[];
  controls: Controls;
  runtimeDefaults: Record<string, unknown>;
  metadata: Record<string, unknown>;
  provenance: Provenance;
}

export const DEFAULT_MODEL: ModelRef = { provider: 'openai', id: 'gpt-4o-mini' };
export const DEFAULT_INSTRUCTIONS = 'You are a helpful assistant.';
export const DEFAULT_GENERATION_PARAMS: Record<string, unknown> = { temperature: 0, max_tokens: 500 };
