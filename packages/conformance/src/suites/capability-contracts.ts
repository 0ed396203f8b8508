import { isPlaceholderSchema, isZodSchema, type OperationDefinition, type TriggerDefinition } from '@integration/contracts';
import type { CheckResult, SuiteResult } from '../report';
import { labelOf, sourceOf, type SuiteContext } from './context';
import { check, fail, isRecord, pass, suiteOf } from './support';

/**
 * Per capability: it maps back to its authored source with the same kind and transport, carries
 * real zod schemas, and a placeholder schema (`z.any()`, `z.unknown()`, an empty open object, a
 * record of anything) only under a declared `passthrough` schema policy with a justification.
 */
export function capabilityContracts(ctx: SuiteContext): SuiteResult {
  const checks: CheckResult[] = [];
  for (const cap of ctx.capabilities) {
    const source = sourceOf(ctx, cap);
    if (!source) {
      checks.push(fail(`${cap.id}.source`, `capability ${cap.id} (${labelOf(cap.kind)}) maps back to no authored ${cap.kind === 'trigger' ? 'trigger' : 'operation'}`));
      continue;
    }
    // Which list it came from decides its kind (a hand-built source may lack `kind`).
    const op = ctx.operations.includes(source as OperationDefinition) ? (source as OperationDefinition) : null;
    const trigger = op ? null : (source as TriggerDefinition);
    const kind = op ? 'operation' : 'trigger';
    checks.push(pass(`${cap.id}.source`, `derived from ${kind} ${source.id}`));
    const transport = op ? op.transport : trigger!.deliveryMode;
    checks.push(
      check(`${cap.id}.transport_profile`, cap.transportProfile === transport, `transport ${transport}`, `transportProfile ${JSON.stringify(cap.transportProfile)} must be its ${kind}'s ${op ? 'transport' : 'deliveryMode'} ${JSON.stringify(transport)}`),
    );
    checks.push(check(`${cap.id}.timeout`, Number.isInteger(cap.timeoutMs) && cap.timeoutMs > 0, `timeout ${cap.timeoutMs} ms`, `timeoutMs must be a positive integer, got ${JSON.stringify(cap.timeoutMs)}`));
    checks.push(check(`${cap.id}.metadata`, isRecord(cap.metadata), 'metadata is an object', 'metadata must be a plain object'));

    const policy = (isRecord(source.schemaPolicy) ? source.schemaPolicy : {}) as Record<string, unknown>;
    const justification = typeof policy.justification === 'string' && policy.justification.trim().length > 0 ? policy.justification : null;
    const schemas: Array<[string, unknown]> = op
      ? [
          ['input', op.input],
          ['output', op.output],
        ]
      : [
          ['config', trigger!.config],
          ['signal', trigger!.signal],
        ];
    let passthrough = false;
    for (const [label, schema] of schemas) {
      const mode = policy[label] ?? 'defined';
      if (!isZodSchema(schema)) {
        checks.push(fail(`${cap.id}.${label}.schema`, `${label} is not a zod schema`));
        continue;
      }
      if (mode === 'passthrough') passthrough = true;
      if (!isPlaceholderSchema(schema)) checks.push(pass(`${cap.id}.${label}.schema`, `${label} schema is defined`));
      else if (mode === 'passthrough' && justification) checks.push(pass(`${cap.id}.${label}.schema`, `${label} is a declared passthrough: ${justification}`));
      else if (mode === 'passthrough') checks.push(fail(`${cap.id}.${label}.schema`, `${label} is a passthrough placeholder schema without a justification`));
      else {
        checks.push(
          fail(
            `${cap.id}.${label}.schema`,
            `${label} is a placeholder schema (accepts anything) under schema policy "${String(mode)}"; define the schema, or declare schemaPolicy.${label} = 'passthrough' with a justification`,
          ),
        );
      }
    }
    if (!passthrough && justification) checks.push(fail(`${cap.id}.schema_policy`, 'a justification is only allowed with a passthrough schema policy'));
    const schemaMismatch = op ? cap.inputSchema !== op.input || cap.outputSchema !== op.output : cap.inputSchema !== trigger!.signal || cap.outputSchema !== null;
    if (schemaMismatch) checks.push(fail(`${cap.id}.schemas`, `the capability's input/output schemas are not its ${kind}'s ${op ? 'input/output' : 'signal (and no output)'} schemas`));
  }
  return suiteOf('capability_contracts', checks);
}
