import Ajv2020Module from 'ajv/dist/2020.js';

type AjvInstance = { compile(schema: object): unknown; errorsText?(): string };
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

// ajv is CommonJS: its class is the default export under Node's ESM interop or `.default` of it.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvConstructor }).default ?? Ajv2020Module) as unknown as AjvConstructor;

/**
 * Whether a JSON Schema is a valid draft 2020-12 schema that compiles (ajv, strict mode off so
 * vendor keywords zod may emit are tolerated). Returns the reason when it is not.
 */
export function jsonSchemaProblem(schema: unknown): string | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'not a JSON object';
  try {
    new Ajv2020({ strict: false, logger: false, validateFormats: false, validateSchema: true }).compile(schema);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Validates a value (as JSON) against a JSON Schema; returns the problems, or null when it is
 * valid. A schema that does not compile is a problem too.
 */
export function jsonSchemaViolation(schema: unknown, value: unknown): string | null {
  try {
    const validate = new Ajv2020({ strict: false, logger: false, validateFormats: false, allErrors: true }).compile(schema as object) as ((v: unknown) => boolean) & {
      errors?: Array<{ instancePath: string; message?: string }> | null;
    };
    const json: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
    if (validate(json)) return null;
    return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '<root>'} ${e.message ?? 'is invalid'}`).join('; ');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
