import { jsonSchemaOf, projectCatalogEntries, type OperationDefinition, type TriggerDefinition } from '@integration/contracts';
import type { CheckResult, SuiteResult } from '../report';
import type { SuiteContext } from './context';
import { jsonSchemaProblem } from './json-schema';
import { check, describeError, duplicatesOf, fail, isRecord, pass, suiteOf } from './support';

type Item = { kind: 'operation'; def: OperationDefinition } | { kind: 'trigger'; def: TriggerDefinition };

function surfaceProblems(item: Item): string[] {
  const surface = item.def.consumerSurface as unknown;
  if (!isRecord(surface)) return ['consumerSurface is missing'];
  const nameKey = item.kind === 'operation' ? 'actionName' : 'sensorName';
  const problems: string[] = [];
  if (surface.mode === 'common') {
    if (typeof surface.normalizedId !== 'string' || !surface.normalizedId) problems.push('a common surface needs normalizedId');
    if (typeof surface[nameKey] !== 'string' || !surface[nameKey]) problems.push(`a common surface needs ${nameKey}`);
    if (surface.reason !== undefined) problems.push('a common surface may not declare a reason');
  } else if (surface.mode === 'connector_local') {
    if (typeof surface.reason !== 'string' || !surface.reason) problems.push('a connector_local surface needs a reason');
    if (surface.normalizedId !== undefined || surface[nameKey] !== undefined) problems.push(`a connector_local surface may not declare normalizedId or ${nameKey}`);
  } else {
    problems.push(`unknown consumer surface mode ${JSON.stringify(surface.mode)}`);
  }
  return problems;
}

function schemasOf(item: Item): Array<[label: string, schema: unknown, io: 'input' | 'output']> {
  return item.kind === 'operation'
    ? [
        ['input', item.def.input, 'input'],
        ['output', item.def.output, 'output'],
      ]
    : [
        ['config', item.def.config, 'input'],
        ['signal', item.def.signal, 'output'],
      ];
}

/** Common consumer surfaces: well-formed, unique names, and a catalog projection with valid JSON Schema. */
export function consumerSurfaceProjection(ctx: SuiteContext): SuiteResult {
  const items: Item[] = [...ctx.operations.map((def) => ({ kind: 'operation' as const, def })), ...ctx.triggers.map((def) => ({ kind: 'trigger' as const, def }))];
  const checks: CheckResult[] = [];
  for (const item of items) {
    const problems = surfaceProblems(item);
    const mode = (item.def.consumerSurface as { mode?: string } | undefined)?.mode;
    checks.push(problems.length === 0 ? pass(`${item.def.id}.consumer_surface`, `${mode} surface`) : fail(`${item.def.id}.consumer_surface`, problems.join('; ')));
    if (mode === 'common') {
      const policy = (item.def.schemaPolicy ?? {}) as Record<string, unknown>;
      const passthrough = Object.entries(policy).filter(([, v]) => v === 'passthrough').map(([k]) => k);
      checks.push(
        check(
          `${item.def.id}.common_schema_policy`,
          passthrough.length === 0,
          'common surface with defined/dynamic schemas',
          `a common surface may not use passthrough schemas (${passthrough.join(', ')}); consumers need real schemas`,
        ),
      );
    }
  }

  const common = <T extends Item['def']>(defs: T[]) => defs.filter((d) => (d.consumerSurface as { mode?: string } | undefined)?.mode === 'common');
  const commonOps = common(ctx.operations);
  const commonTriggers = common(ctx.triggers);
  const names = (defs: Item['def'][], key: string) => defs.map((d) => (d.consumerSurface as unknown as Record<string, string>)[key]!).filter((n) => typeof n === 'string');
  for (const [id, values, what] of [
    ['consumer_surface.action_names_unique', names(commonOps, 'actionName'), 'action name'],
    ['consumer_surface.sensor_names_unique', names(commonTriggers, 'sensorName'), 'sensor name'],
    ['consumer_surface.normalized_ids_unique', names([...commonOps, ...commonTriggers], 'normalizedId'), 'normalizedId'],
  ] as const) {
    const dupes = duplicatesOf(values);
    checks.push(check(id, dupes.length === 0, `${values.length} ${what}s, all unique`, `${what} used by more than one capability: ${dupes.join(', ')}`, { duplicates: dupes }));
  }

  for (const item of items.filter((i) => (i.def.consumerSurface as { mode?: string } | undefined)?.mode === 'common')) {
    const problems: string[] = [];
    for (const [label, schema, io] of schemasOf(item)) {
      try {
        const json = JSON.parse(JSON.stringify(jsonSchemaOf(schema as Parameters<typeof jsonSchemaOf>[0], io))) as Record<string, unknown>;
        const problem = jsonSchemaProblem(json);
        if (problem) problems.push(`${label}: invalid JSON Schema (${problem})`);
        else if (item.kind === 'operation' && label === 'input' && json.type !== 'object') problems.push(`input: a tool's parameters must be a JSON object schema, got type ${JSON.stringify(json.type)}`);
      } catch (error) {
        problems.push(`${label}: no JSON Schema projection (${describeError(error)})`);
      }
    }
    checks.push(problems.length === 0 ? pass(`${item.def.id}.json_schema`, 'JSON Schema (draft 2020-12) for every schema') : fail(`${item.def.id}.json_schema`, problems.join('; ')));
  }

  try {
    const [entry] = projectCatalogEntries([ctx.connector]);
    const roundTrip = JSON.parse(JSON.stringify(entry));
    const opIds = entry!.operations.map((o) => o.operationId);
    const triggerIds = entry!.triggers.map((t) => t.triggerId);
    const problems: string[] = [];
    if (JSON.stringify(roundTrip) !== JSON.stringify(entry)) problems.push('the catalog entry is not plain JSON');
    if (JSON.stringify(opIds) !== JSON.stringify(commonOps.map((o) => o.id))) problems.push(`projected operations [${opIds.join(', ')}] are not the common operations`);
    if (JSON.stringify(triggerIds) !== JSON.stringify(commonTriggers.map((t) => t.id))) problems.push(`projected triggers [${triggerIds.join(', ')}] are not the common triggers`);
    checks.push(
      problems.length === 0
        ? pass('consumer_surface.projection', `projects ${opIds.length} operations and ${triggerIds.length} triggers`)
        : fail('consumer_surface.projection', problems.join('; ')),
    );
  } catch (error) {
    checks.push(fail('consumer_surface.projection', `projectCatalogEntries failed: ${describeError(error)}`));
  }
  return suiteOf('consumer_surface_projection', checks);
}
