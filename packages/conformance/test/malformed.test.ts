import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failedChecks, runConformance } from '../src';
import { sampleConnector } from './support/sample-connector';

// What another tool could emit: JSON values, undefined, functions. (Exotic objects, e.g. with a
// throwing toString, can still make a suite throw; that is then a failed `<suite>.exception` check.)
const junk = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.constant(() => 1));

describe('malformed hand-built definitions', () => {
  it('never make a suite throw: every problem is a failing check', async () => {
    const base = sampleConnector();
    const fields = ['id', 'auth', 'catalog', 'operations', 'triggers', 'capabilities', 'runtimeFamilies', 'conformance', 'metadata'] as const;
    await fc.assert(
      fc.asyncProperty(fc.subarray([...fields], { minLength: 1 }), fc.array(junk, { minLength: 9, maxLength: 9 }), async (broken, values) => {
        const draft: Record<string, unknown> = { ...base, conformance: { fixtures: [] } };
        broken.forEach((field, i) => (draft[field] = values[i]));
        const report = await runConformance(draft as never, { suites: ['manifest_contract', 'consumer_surface_projection', 'capability_contracts', 'runtime_class_fit', 'policy_contract', 'deterministic_fixtures', 'ingress_definition_discipline'] });
        expect(report.status).toBe('failed');
        expect(failedChecks(report).filter((f) => f.check.id.endsWith('.exception')).map((f) => f.check.message)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('junk in any field of an operation, trigger or capability is reported, not thrown', async () => {
    const base = sampleConnector();
    const opFields = Object.keys(base.operations[0]!);
    const capFields = Object.keys(base.capabilities[0]!);
    const triggerFields = Object.keys(base.triggers[0]!);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...opFields), fc.constantFrom(...capFields), fc.constantFrom(...triggerFields), junk, junk, junk, async (opField, capField, triggerField, a, b, c) => {
        const op = { ...base.operations[0]!, [opField]: a };
        const cap = { ...base.capabilities[0]!, [capField]: b };
        const trigger = { ...base.triggers[0]!, [triggerField]: c };
        const draft = { ...base, operations: [op, ...base.operations.slice(1)], capabilities: [cap, ...base.capabilities.slice(1)], triggers: [trigger], conformance: { fixtures: [] } };
        const report = await runConformance(draft as never, { suites: ['manifest_contract', 'consumer_surface_projection', 'capability_contracts', 'runtime_class_fit', 'policy_contract', 'deterministic_fixtures', 'ingress_definition_discipline'] });
        expect(failedChecks(report).filter((f) => f.check.id.endsWith('.exception')).map((f) => `${opField}/${capField}/${triggerField}: ${f.check.message}`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a runtime class or kind that cannot be printed is reported, not thrown', async () => {
    // A counterexample fast-check found: objects without a callable toString inside messages.
    const base = sampleConnector();
    const op = { ...base.operations[0]!, runtimeClass: { toString: [] } };
    const cap = { ...base.capabilities[0]!, kind: { toString: [] }, trigger: {} };
    const draft = { ...base, operations: [op, ...base.operations.slice(1)], capabilities: [cap, ...base.capabilities.slice(1)], conformance: { fixtures: [] } };
    const report = await runConformance(draft as never);
    const failed = failedChecks(report);
    expect(failed.filter((f) => f.check.id.endsWith('.exception')).map((f) => f.check.message)).toEqual([]);
    expect(failed.map((f) => f.check.id)).toContain('manifest.capabilities_derived');
  });

  it('junk inside operations, capabilities and fixtures is reported, not thrown', async () => {
    const report = await runConformance({
      id: 5,
      operations: [null, 3, { id: 'x.y' }],
      triggers: 'no',
      capabilities: [{ id: 'x.y', kind: 'operation' }, 'junk'],
      conformance: { fixtures: [{ capabilityId: 'x.y', input: {} }, 7] },
    } as never);
    const ids = failedChecks(report).map((f) => f.check.id);
    expect(ids.filter((id) => id.endsWith('.exception'))).toEqual([]);
    expect(ids).toEqual(expect.arrayContaining(['manifest.id', 'x.y.input.schema', 'x.y.runtime_class', 'fixture[1]#1.shape']));
  });
});
