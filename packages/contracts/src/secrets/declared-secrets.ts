import { z } from 'zod';
import { REDACTED } from './known-secrets';

/**
 * Marks a schema as holding a secret (an API key a caller passes, a key an operation returns, the
 * `token` a webhook payload carries). Wrap the finished field schema, since every zod method
 * returns a new schema: `secret(z.string().min(20))`, then `.optional()` as usual. The mark is
 * zod metadata (`.meta({ secret: true })` does the same), so it shows in JSON Schema too.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), secret: true }) as T;
}

export function isSecretSchema(schema: z.ZodType): boolean {
  return (z.globalRegistry.get(schema) as { secret?: unknown } | undefined)?.secret === true;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional', 'success']);

/** The schemas directly inside `schema` (what a value of it may contain). */
function childrenOf(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (wrappers.has(def.type)) return def.innerType ? [def.innerType] : [];
  switch (def.type) {
    case 'object':
      return [...Object.values(def.shape ?? {}), ...(def.catchall ? [def.catchall] : [])];
    case 'array':
      return def.element ? [def.element] : [];
    case 'tuple':
      return [...(def.items ?? []), ...(def.rest ? [def.rest] : [])];
    case 'record':
      return def.valueType ? [def.valueType] : [];
    case 'union':
      return [...(def.options ?? [])];
    case 'intersection':
      return [def.left!, def.right!];
    case 'pipe':
      return [def.in!, def.out!];
    case 'lazy':
      return [def.getter!()];
    default:
      return [];
  }
}

const holdsSecrets = new WeakMap<z.ZodType, boolean>();

/** True when a secret is declared anywhere in `schema` (cached: most schemas declare none, and skip the walk). */
export function declaresSecrets(schema: z.ZodType | null | undefined): boolean {
  if (!schema) return false;
  const known = holdsSecrets.get(schema);
  if (known !== undefined) return known;
  // A recursive (lazy) schema meets itself again: provisionally false while it is being decided.
  holdsSecrets.set(schema, false);
  const verdict = isSecretSchema(schema) || childrenOf(schema).some(declaresSecrets);
  holdsSecrets.set(schema, verdict);
  return verdict;
}

export interface DeclaredView<T> {
  /** `value` with every declared-secret field replaced by `[REDACTED]` (`value` itself when none held a value). */
  view: T;
  /** The text of every secret found (strings, and numbers as text), for redaction by value elsewhere. */
  values: string[];
}

const MAX_DEPTH = 64;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function collectLeaves(value: unknown, into: string[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') into.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collectLeaves(item, into, depth + 1);
  else if (isRecord(value)) for (const item of Object.values(value)) collectLeaves(item, into, depth + 1);
}

function redactAt(schema: z.ZodType, value: unknown, values: string[], depth: number): unknown {
  if (value === undefined || value === null || depth > MAX_DEPTH || !declaresSecrets(schema)) return value;
  if (isSecretSchema(schema)) {
    collectLeaves(value, values);
    return REDACTED;
  }
  const def = defOf(schema);
  if (wrappers.has(def.type)) return def.innerType ? redactAt(def.innerType, value, values, depth) : value;
  switch (def.type) {
    case 'object':
      return isRecord(value) ? redactFields(value, (key) => def.shape?.[key] ?? def.catchall, values, depth) : value;
    case 'record':
      return isRecord(value) ? redactFields(value, () => def.valueType, values, depth) : value;
    case 'array':
      return Array.isArray(value) ? redactItems(value, () => def.element, values, depth) : value;
    case 'tuple':
      return Array.isArray(value) ? redactItems(value, (index) => def.items?.[index] ?? def.rest ?? undefined, values, depth) : value;
    case 'lazy':
      return redactAt(def.getter!(), value, values, depth + 1);
    // A value of a union, intersection or pipe is checked against every member: what any of them declares secret is.
    case 'union':
    case 'intersection':
    case 'pipe':
      return childrenOf(schema).reduce<unknown>((current, member) => redactAt(member, current, values, depth + 1), value);
    default:
      return value;
  }
}

function redactFields(value: Record<string, unknown>, schemaFor: (key: string) => z.ZodType | undefined, values: string[], depth: number): unknown {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const field = schemaFor(key);
    if (!field) continue;
    const next = redactAt(field, value[key], values, depth + 1);
    if (next === value[key]) continue;
    out ??= { ...value };
    out[key] = next;
  }
  return out ?? value;
}

function redactItems(value: unknown[], schemaFor: (index: number) => z.ZodType | undefined, values: string[], depth: number): unknown {
  let out: unknown[] | null = null;
  value.forEach((item, index) => {
    const field = schemaFor(index);
    if (!field) return;
    const next = redactAt(field, item, values, depth + 1);
    if (next === item) return;
    out ??= [...value];
    out[index] = next;
  });
  return out ?? value;
}

/**
 * Redaction by declaration: the redacted view of a value of `schema` (the parsed input, output or
 * signal), and the secret values it held. Provider data outside declared fields is never touched.
 */
export function declaredSecrets<T>(schema: z.ZodType | null | undefined, value: T): DeclaredView<T> {
  const values: string[] = [];
  if (!schema || !declaresSecrets(schema)) return { view: value, values };
  return { view: redactAt(schema, value, values, 0) as T, values };
}
