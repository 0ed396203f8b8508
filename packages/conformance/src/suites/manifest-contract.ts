import { z } from 'zod';
import { AuthSpecSchema, CatalogSpecSchema, type RuntimeClass } from '@integration/contracts';
import type { CheckResult, SuiteResult } from '../report';
import { labelOf, type SuiteContext } from './context';
import { check, duplicatesOf, fail, isRecord, isSorted, pass, sortedCopy, stringsOf, suiteOf } from './support';

const connectorIdPattern = /^[a-z][a-z0-9_]*$/;
const runtimeOrder: RuntimeClass[] = ['direct', 'session', 'stream'];

/** Identity, auth and catalog specs, scope and secret coverage, sorted unique ids, derived capabilities. */
export function manifestContract(ctx: SuiteContext): SuiteResult {
  const { connector, operations, triggers, capabilities } = ctx;
  const checks: CheckResult[] = [];
  checks.push(check('manifest.id', typeof connector.id === 'string' && connectorIdPattern.test(connector.id), `id "${ctx.connectorLabel}"`, `connector id ${ctx.connectorLabel} must match /^[a-z][a-z0-9_]*$/`));
  checks.push(check('manifest.entries', ctx.malformed.length === 0, 'operations, triggers and capabilities are well-formed lists', ctx.malformed.join('; '), { problems: ctx.malformed }));

  const auth = AuthSpecSchema.safeParse(connector.auth);
  if (!auth.success) checks.push(fail('manifest.auth', `auth is not an AuthSpec: ${z.prettifyError(auth.error)}`));
  else if (auth.data.type === 'none' && auth.data.requestedScopes.length > 0) checks.push(fail('manifest.auth', `auth type none cannot request scopes (${auth.data.requestedScopes.join(', ')})`));
  else checks.push(pass('manifest.auth', `auth ${auth.data.type}`));
  const catalog = CatalogSpecSchema.safeParse(connector.catalog);
  checks.push(catalog.success ? pass('manifest.catalog', `catalog "${catalog.data.displayName}"`) : fail('manifest.catalog', `catalog is not a CatalogSpec: ${z.prettifyError(catalog.error)}`));
  checks.push(check('manifest.metadata', isRecord(connector.metadata), 'metadata is an object', 'metadata must be a plain object'));

  checks.push(
    check(
      'manifest.capabilities_present',
      operations.length + triggers.length > 0,
      `${operations.length} operations, ${triggers.length} triggers`,
      'a connector needs at least one operation or trigger',
    ),
  );
  const opIds = operations.map((o) => o.id);
  const triggerIds = triggers.map((t) => t.id);
  const dupes = duplicatesOf([...opIds, ...triggerIds]);
  checks.push(check('manifest.ids_unique', dupes.length === 0, 'operation and trigger ids are unique', `ids used more than once: ${dupes.join(', ')}`, { duplicates: dupes }));
  checks.push(check('manifest.operations_sorted', isSorted(opIds), 'operations are sorted by id', `operations must be sorted by id: ${opIds.join(', ')}`));
  checks.push(check('manifest.triggers_sorted', isSorted(triggerIds), 'triggers are sorted by id', `triggers must be sorted by id: ${triggerIds.join(', ')}`));

  // Capabilities are derived, never authored: exactly one per operation/trigger, sorted, mapping back.
  const capIds = capabilities.map((c) => c.id);
  const expected = sortedCopy([...new Set([...opIds, ...triggerIds])]);
  const problems: string[] = [];
  if (JSON.stringify(capIds) !== JSON.stringify(expected)) problems.push(`capability ids [${capIds.join(', ')}] must be the sorted ids of operations and triggers [${expected.join(', ')}]`);
  for (const cap of capabilities) {
    const op = operations.find((o) => o.id === cap.id);
    const trigger = triggers.find((t) => t.id === cap.id);
    const source = op ?? trigger;
    if (!source) continue;
    const kind = op ? 'operation' : 'trigger';
    if (cap.kind !== kind) problems.push(`${cap.id}: kind ${labelOf(cap.kind)} but derived from a ${kind}`);
    if (cap.connectorId !== connector.id) problems.push(`${cap.id}: connectorId ${labelOf(cap.connectorId)} is not ${ctx.connectorLabel}`);
    if (cap.runtimeClass !== source.runtimeClass) problems.push(`${cap.id}: runtimeClass ${labelOf(cap.runtimeClass)} but its ${kind} says ${labelOf(source.runtimeClass)}`);
    if (JSON.stringify(sortedCopy(stringsOf(cap.requiredScopes))) !== JSON.stringify(sortedCopy(stringsOf(source.scopes)))) problems.push(`${cap.id}: requiredScopes differ from its ${kind}'s scopes`);
    const schema = op ? op.input : trigger!.signal;
    if (cap.inputSchema !== schema) problems.push(`${cap.id}: inputSchema is not its ${kind}'s ${op ? 'input' : 'signal'} schema`);
    if (op && cap.outputSchema !== op.output) problems.push(`${cap.id}: outputSchema is not its operation's output schema`);
    if ((cap.handler ?? null) !== (source.handler ?? null)) problems.push(`${cap.id}: handler is not its ${kind}'s handler`);
  }
  checks.push(problems.length === 0 ? pass('manifest.capabilities_derived', `${capabilities.length} capabilities derived from operations and triggers`) : fail('manifest.capabilities_derived', problems.join('; '), { problems }));

  const families = new Set(capabilities.map((c) => c.runtimeClass));
  const expectedFamilies = runtimeOrder.filter((r) => families.has(r));
  checks.push(
    check(
      'manifest.runtime_families',
      JSON.stringify(connector.runtimeFamilies) === JSON.stringify(expectedFamilies),
      `runtime families [${expectedFamilies.join(', ')}]`,
      `runtimeFamilies ${JSON.stringify(connector.runtimeFamilies)} must be the capabilities' runtime classes in order [${expectedFamilies.join(', ')}]`,
    ),
  );

  const requested = new Set(auth.success ? auth.data.requestedScopes : []);
  for (const item of [...operations, ...triggers]) {
    const scopes = stringsOf(item.scopes);
    const missing = scopes.filter((s) => !requested.has(s));
    checks.push(
      check(
        `${item.id}.scopes_covered`,
        missing.length === 0,
        scopes.length === 0 ? 'needs no scopes' : `auth.requestedScopes covers ${scopes.join(', ')}`,
        `auth.requestedScopes does not cover ${item.id}'s scopes: ${missing.join(', ')} (add them to defineConnector({ auth: { requestedScopes } }))`,
        { missing },
      ),
    );
  }
  const secretNames = new Set(auth.success ? auth.data.secretNames : []);
  for (const trigger of triggers) {
    const needed = [...stringsOf(trigger.secretRequirements), ...stringsOf([trigger.verification?.secretName])];
    const missing = needed.filter((s) => !secretNames.has(s));
    checks.push(
      check(
        `${trigger.id}.secrets_covered`,
        missing.length === 0,
        needed.length === 0 ? 'needs no secrets' : `auth.secretNames covers ${needed.join(', ')}`,
        `auth.secretNames does not cover ${trigger.id}'s secrets: ${missing.join(', ')}`,
        { missing },
      ),
    );
  }
  return suiteOf('manifest_contract', checks);
}
