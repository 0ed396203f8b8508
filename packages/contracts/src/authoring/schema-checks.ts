import { z } from 'zod';

/** A schema that accepts anything: `z.any()`, `z.unknown()`, an empty open object, or a record of anything. */
export function isPlaceholderSchema(schema: z.ZodType): boolean {
  const def = (schema as unknown as { def: { type: string; shape?: Record<string, unknown>; catchall?: z.ZodType; valueType?: z.ZodType; innerType?: z.ZodType } }).def;
  switch (def.type) {
    case 'any':
    case 'unknown':
      return true;
    case 'optional':
    case 'nullable':
    case 'default':
      return def.innerType ? isPlaceholderSchema(def.innerType) : false;
    case 'object': {
      const empty = !def.shape || Object.keys(def.shape).length === 0;
      const open = def.catchall !== undefined && isPlaceholderSchema(def.catchall);
      return empty && (open || def.catchall === undefined);
    }
    case 'record':
      return def.valueType !== undefined && isPlaceholderSchema(def.valueType);
    default:
      return false;
  }
}

export function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

/** JSON Schema for a consumer (LLM tool definitions, MCP); unrepresentable parts become `{}`. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
}
