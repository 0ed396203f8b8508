import type { z } from 'zod';
import { isControl } from './definitions';
import type { AgentInput, BoundaryControlInput } from './define-agent-input';
import { invalidDocument } from './errors';
import type { AgentSpec, BoundaryControl, OperationControl } from './spec';

function boundaryControls(list: z.output<typeof BoundaryControlInput>[] | undefined, boundary: 'input' | 'output'): BoundaryControl[] {
  const out: BoundaryControl[] = [];
  for (const item of list ?? []) {
    const entry = isControl(item) ? { control: item, metadata: {} } : { control: item.control, metadata: item.metadata ?? {} };
    if (out.some((existing) => existing.control.name === entry.control.name)) {
      throw invalidDocument(`${boundary} control "${entry.control.name}" is declared more than once`, {
        kind: `duplicate_${boundary}_control`,
        control: entry.control.name,
      });
    }
    out.push(entry);
  }
  return out;
}

export function buildControls(controls: AgentInput['controls']): AgentSpec['controls'] {
  const operations: OperationControl[] = [];
  for (const item of controls?.operations ?? []) {
    const entry: OperationControl = { control: item.control, match: item.when ?? {}, metadata: item.metadata ?? {} };
    const key = JSON.stringify(sortKeys(entry.match));
    if (operations.some((o) => o.control.name === entry.control.name && JSON.stringify(sortKeys(o.match)) === key)) {
      throw invalidDocument(`operation control "${entry.control.name}" is declared twice with the same match`, {
        kind: 'duplicate_operation_control',
        control: entry.control.name,
        match: entry.match,
      });
    }
    operations.push(entry);
  }
  return {
    maxTurns: controls?.maxTurns ?? null,
    timeoutMs: controls?.timeoutMs ?? null,
    inputs: boundaryControls(controls?.inputs, 'input'),
    operations,
    outputs: boundaryControls(controls?.outputs, 'output'),
    metadata: controls?.metadata ?? {},
  };
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
