import { VerificationSchemeSchema, type TriggerDefinition } from '@integration/contracts';
import { definitionFromTrigger, type IngressDefinition } from '@integration/ingress';
import type { CheckResult, SuiteResult } from '../report';
import type { SuiteContext } from './context';
import { check, describeError, fail, pass, suiteOf } from './support';

/** Fills a declared verification when the engine derives definitions itself (never used to verify). */
const PLACEHOLDER_SECRET = 'conformance-placeholder-signing-secret';

function definitionsOf(ctx: SuiteContext, checks: CheckResult[]): IngressDefinition[] {
  const given = ctx.options.ingressDefinitions;
  if (given) {
    try {
      const list = typeof given === 'function' ? given(ctx.connector) : given;
      if (!Array.isArray(list)) throw new Error('ingressDefinitions must be an array');
      checks.push(pass('ingress.definitions', `${list.length} definitions given by the host`));
      return list;
    } catch (error) {
      checks.push(fail('ingress.definitions', `the host's ingress definitions could not be read: ${describeError(error)}`));
      return [];
    }
  }
  const derived: IngressDefinition[] = [];
  for (const trigger of ctx.triggers) {
    try {
      derived.push(definitionFromTrigger(ctx.connector.id, trigger, trigger.verification ? { secret: PLACEHOLDER_SECRET } : {}));
    } catch (error) {
      checks.push(fail(`${trigger.id}.definition`, `definitionFromTrigger rejects the trigger: ${describeError(error)}`));
    }
  }
  return derived;
}

/**
 * Skipped without triggers. Otherwise every trigger has exactly one ingress definition that agrees
 * with it (connector, capability, source, signal type and source), poll triggers have a poll
 * function, and webhook triggers declare signature verification with a known scheme.
 */
export function ingressDefinitionDiscipline(ctx: SuiteContext): SuiteResult {
  if (ctx.triggers.length === 0) return suiteOf('ingress_definition_discipline', [], 'no triggers');
  const checks: CheckResult[] = [];
  const definitions = definitionsOf(ctx, checks);
  const triggerIds = new Set(ctx.triggers.map((t) => t.id));
  const strays = definitions.filter((d) => !triggerIds.has(d?.capabilityId));
  if (strays.length > 0) {
    checks.push(fail('ingress.definitions_known', `definitions for capabilities this connector has no trigger for: ${strays.map((d) => d?.capabilityId).join(', ')}`));
  }
  for (const trigger of ctx.triggers) checks.push(...triggerChecks(ctx, trigger, definitions.filter((d) => d?.capabilityId === trigger.id)));
  return suiteOf('ingress_definition_discipline', checks);
}

function triggerChecks(ctx: SuiteContext, trigger: TriggerDefinition, mine: IngressDefinition[]): CheckResult[] {
  const checks: CheckResult[] = [];
  const id = trigger.id;
  if (mine.length !== 1) {
    checks.push(fail(`${id}.definition`, `trigger ${id} needs exactly one ingress definition, has ${mine.length}`));
  } else {
    const d = mine[0]!;
    const problems: string[] = [];
    if (d.connectorId !== ctx.connector.id) problems.push(`connectorId ${d.connectorId} is not ${ctx.connectorLabel}`);
    if (d.triggerId !== id) problems.push(`triggerId ${d.triggerId} is not ${id}`);
    if (d.source !== trigger.deliveryMode) problems.push(`source ${d.source} is not the trigger's delivery mode ${trigger.deliveryMode}`);
    if (d.signalType !== trigger.signalType) problems.push(`signalType ${d.signalType} is not the trigger's ${trigger.signalType}`);
    if (d.signalSource !== trigger.signalSource) problems.push(`signalSource ${d.signalSource} is not the trigger's ${trigger.signalSource}`);
    checks.push(problems.length === 0 ? pass(`${id}.definition`, `one ${d.source} definition`) : fail(`${id}.definition`, problems.join('; ')));
  }
  if (trigger.deliveryMode === 'webhook') {
    const declared = trigger.verification;
    const definitionVerification = mine.length === 1 ? mine[0]!.verification : null;
    if (!declared && !definitionVerification) {
      checks.push(fail(`${id}.verification`, `webhook trigger ${id} declares no signature verification; add verification: { scheme, secretName } so unsigned deliveries are rejected`));
    } else if (declared && !VerificationSchemeSchema.safeParse(declared.scheme).success) {
      checks.push(fail(`${id}.verification`, `unknown verification scheme ${JSON.stringify(declared.scheme)} (known: ${VerificationSchemeSchema.options.join(', ')})`));
    } else if (mine.length === 1 && !definitionVerification) {
      checks.push(fail(`${id}.verification`, `the ingress definition of webhook trigger ${id} admits unsigned deliveries (verification: null)`));
    } else {
      checks.push(pass(`${id}.verification`, `${declared?.scheme ?? definitionVerification?.scheme} signatures${declared ? ` (secret ${declared.secretName})` : ''}`));
    }
  } else if (trigger.deliveryMode === 'poll') {
    checks.push(check(`${id}.poll`, typeof trigger.poll === 'function' && (trigger.polling?.defaultIntervalMs ?? 0) > 0, 'poll function and interval', `poll trigger ${id} needs a poll function and polling.defaultIntervalMs`));
  } else {
    checks.push(fail(`${id}.delivery_mode`, `unknown delivery mode ${JSON.stringify(trigger.deliveryMode)} (webhook or poll)`));
  }
  return checks;
}
