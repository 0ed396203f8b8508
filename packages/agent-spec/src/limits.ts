import { z } from 'zod';

/** Bounds applied to every document before it is compiled. */
export const ImportLimitsSchema = z.strictObject({
  /** Maximum UTF-8 size of a string source. */
  maxBytes: z.number().int().positive().default(1_000_000),
  /** Maximum nesting depth (the root is depth 0). */
  maxDepth: z.number().int().positive().default(64),
  /** Maximum number of values (objects, arrays, keys, scalars) in the decoded document. */
  maxNodes: z.number().int().positive().default(20_000),
  /** Maximum YAML alias expansion (the `yaml` package's `maxAliasCount`); 0 forbids aliases. */
  maxAliasCount: z.number().int().nonnegative().default(100),
});

export type ImportLimits = z.output<typeof ImportLimitsSchema>;
export type ImportLimitsInput = z.input<typeof ImportLimitsSchema>;
export const defaultImportLimits: ImportLimits = ImportLimitsSchema.parse({});
