import Ajv2020Module from 'ajv/dist/2020.js';

type Validate = ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
type AjvInstance = { compile(schema: object): Validate; removeSchema(schema: object): unknown };
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

// ajv is CommonJS: its class is the default export under Node's ESM interop or `.default` of it.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvConstructor }).default ?? Ajv2020Module) as unknown as AjvConstructor;

// One instance for the process: building one compiles the draft 2020-12 meta-schema (~15 ms), which
// dominated a conformance run when done per schema. Strict mode is off so vendor keywords zod may
// emit are tolerated; the meta-schema check (validateSchema) stays on.
let shared: AjvInstance | undefined;
const ajv = () => (shared ??= new Ajv2020({ strict: false, logger: false, validateFormats: false, allErrors: true }));

/** Compiles `schema` for one use and drops it from ajv's cache again (so `$id`s never collide). */
function withValidator<T>(schema: object, use: (validate: Validate) => T): T {
  const instance = ajv();
  try {
    return use(instance.compile(schema));
  } finally {
    try {
      instance.removeSchema(schema);
    } catch {
      // Never added (it did not compile): nothing to drop.
    }
  }
}

/**
 * Whether a JSON Schema is a valid draft 2020-12 schema that compiles. Returns the reason when it
 * is not.
 */
export function jsonSchemaProblem(schema: unknown): string | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'not a JSON object';
  try {
    return withValidator(schema, () => null);
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
    const json: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
    return withValidator(schema as object, (validate) => {
      if (validate(json)) return null;
      return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '<root>'} ${e.message ?? 'is invalid'}`).join('; ');
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
