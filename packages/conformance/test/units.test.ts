import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canaryForms,
  canaryPayload,
  connectorsOfModule,
  ConformanceReportSchema,
  eventTypesMatch,
  factoryNameOf,
  findCanaries,
  renderHuman,
  renderJson,
  runConformance,
  shortCanaries,
  type ConformanceReport,
} from '../src';
import { differences, maskVolatile, normalizedDigest, volatileIdsOf } from '../src/fixtures/normalize';
import { sampleConnector } from './support/sample-connector';

describe('canary search', () => {
  const canary = canaryPayload({ access_token: 'x' }, ['access_token']).access_token!;

  it('finds a canary as is, hex, URL-encoded and base64 at any alignment inside larger text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (prefix, suffix) => {
        const bytes = Buffer.concat([Buffer.from(prefix), Buffer.from(canary), Buffer.from(suffix)]);
        expect(findCanaries(bytes.toString('base64'), [canary])).toContain('base64');
        expect(findCanaries(bytes.toString('base64url'), [canary])).toContain('base64');
        expect(findCanaries(`x${bytes.toString('hex')}y`, [canary])).toContain('hex');
        expect(findCanaries(`Bearer ${canary}.`, [canary])).toEqual(['plain']);
      }),
      { numRuns: 200 },
    );
  });

  it('does not report unrelated text, or a different canary', () => {
    const other = canaryPayload(undefined, undefined).access_token!;
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(findCanaries(text, [canary])).toEqual([]);
        expect(findCanaries(`${text}${other}${Buffer.from(other).toString('base64')}`, [canary])).toEqual([]);
      }),
    );
  });

  it('makes one fresh, unguessable canary per lease field (fixture fields and auth.leaseFields)', () => {
    const a = canaryPayload({ api_token: 'fixture' }, ['access_token']);
    const b = canaryPayload({ api_token: 'fixture' }, ['access_token']);
    expect(Object.keys(a)).toEqual(['access_token', 'api_token']);
    expect(a.api_token).not.toBe(b.api_token);
    expect(a.api_token).toMatch(/^canary_apitoken_[0-9a-f]{32}$/);
    expect(canaryPayload(undefined, [])).toHaveProperty('access_token');
    expect(canaryForms('abc').map((f) => f.form)).toContain('plain');
  });
});

describe('short canaries', () => {
  it('are found only as whole tokens, never inside a longer word or as encodings', () => {
    expect(findCanaries('pin k3x.', ['k3x'])).toEqual(['short']);
    expect(findCanaries('{"pin":"q"}', ['q'])).toEqual(['short']);
    expect(findCanaries('itemk3x k3x_1 k3x9 queue', ['k3x', 'q'])).toEqual([]);
    expect(findCanaries(Buffer.from('k3x').toString('hex'), ['k3x'])).toEqual([]);
  });

  it('are 1–5 characters with a letter, distinct, and never a word the avoided text already holds', () => {
    const singleLetters = 'abcdefghijklmnopqrstuvwxyz'.split('').join(' ');
    for (let round = 0; round < 20; round += 1) {
      const chosen = shortCanaries(singleLetters);
      // Every 1-character candidate with a letter is taken: that length is left out.
      expect(Object.keys(chosen)).toEqual(['canary_short_2', 'canary_short_3', 'canary_short_4', 'canary_short_5']);
      for (const [field, value] of Object.entries(chosen)) {
        expect(value).toMatch(/^[a-z0-9]+$/);
        expect(value).toMatch(/[a-z]/);
        expect(value).toHaveLength(Number(field.at(-1)));
        expect(findCanaries(singleLetters, [value])).toEqual([]);
      }
      expect(new Set(Object.values(chosen)).size).toBe(4);
    }
    expect(Object.keys(shortCanaries(''))).toEqual(['canary_short_1', 'canary_short_2', 'canary_short_3', 'canary_short_4', 'canary_short_5']);
  });
});

describe('normalisation of runtime-assigned ids', () => {
  it('masks volatile keys and runtime ids, nothing else', () => {
    const ids = ['sess_01ABC'];
    expect(maskVolatile({ sessionId: 'sess_01ABC', pid: 42, note: 'in sess_01ABC', title: 'x', list: [{ streamId: 's' }] }, ids)).toEqual({
      sessionId: '<volatile>',
      pid: '<volatile>',
      note: 'in <volatile>',
      title: 'x',
      list: [{ streamId: '<volatile>' }],
    });
    const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    expect(normalizedDigest(bytes({ sessionId: 'a', n: 1 }), [])).toBe(normalizedDigest(bytes({ n: 1, sessionId: 'b' }), []));
    expect(normalizedDigest(bytes({ n: 1 }), [])).not.toBe(normalizedDigest(bytes({ n: 2 }), []));
    expect(normalizedDigest(new TextEncoder().encode('log sess_01ABC'), ids)).toBe(normalizedDigest(new TextEncoder().encode('log sess_01XYZ'), ['sess_01XYZ']));
    expect(volatileIdsOf({ status: 'completed', output: {}, events: [{ type: 't', sessionId: 's1' }], artifacts: [], runtimeRefId: 'r1' }).sort()).toEqual(['r1', 's1']);
  });

  it('lists where two values differ', () => {
    expect(differences({ a: 1, b: [1, 2] }, { a: 2, b: [1] })).toEqual(['a (1 vs 2)', 'b (length 2 vs 1)']);
    expect(differences({ a: 1 }, { a: 1 })).toEqual([]);
  });
});

describe('expect.eventTypes', () => {
  const actual = ['attempt.started', 'connector.x.done', 'attempt.completed'];
  it('matches the full list or only the connector.* events, exactly and in order', () => {
    expect(eventTypesMatch(actual, actual)).toBe(true);
    expect(eventTypesMatch(['connector.x.done'], actual)).toBe(true);
    expect(eventTypesMatch(['attempt.started', 'connector.x.done'], actual)).toBe(false);
    expect(eventTypesMatch(['connector.x.done', 'connector.x.done'], actual)).toBe(false);
    expect(eventTypesMatch([], actual)).toBe(false);
  });
});

describe('discovery rule', () => {
  const def = sampleConnector();
  it('prefers conformanceTargets, then default, then the export named after the package', async () => {
    expect(factoryNameOf('@integration/connector-market-data')).toBe('marketData');
    expect(factoryNameOf('@acme/jira')).toBe('jira');
    expect(await connectorsOfModule({ conformanceTargets: [def, () => def, async () => def], default: () => null }, '@x/connector-a')).toHaveLength(3);
    expect(await connectorsOfModule({ conformanceTargets: async () => [def] }, '@x/connector-a')).toEqual([def]);
    expect(await connectorsOfModule({ default: () => def }, '@x/connector-a')).toEqual([def]);
    expect(await connectorsOfModule({ marketData: () => def, helper: () => 1 }, '@x/connector-market-data')).toEqual([def]);
  });

  it('rejects a package with no target, or a target that is not a definition', async () => {
    await expect(connectorsOfModule({ helper: () => def }, '@x/connector-a')).rejects.toMatchObject({ code: 'invalid_definition' });
    await expect(connectorsOfModule({ conformanceTargets: [() => ({ id: 'x' })] }, '@x/connector-a')).rejects.toMatchObject({ code: 'invalid_definition' });
  });
});

describe('reports', () => {
  it('renders a human report with PASS/FAIL/SKIP per suite and each failing check, and JSON that parses back', async () => {
    const base = await runConformance(sampleConnector(), { suites: ['manifest_contract', 'ingress_definition_discipline'], generatedAt: new Date('2026-02-03T04:05:06Z') });
    const report: ConformanceReport = {
      ...base,
      status: 'failed',
      suites: base.suites.map((s) => (s.id === 'manifest_contract' ? { ...s, status: 'failed', summary: '1 of 1 checks failed', checks: [{ id: 'manifest.id', status: 'failed', message: 'bad id', details: {} }] } : s)),
    };
    const text = renderHuman(report);
    expect(text).toContain('Connector:    sample');
    expect(text).toContain('Status:       FAIL');
    expect(text).toContain('Generated At: 2026-02-03T04:05:06.000Z');
    expect(text).toContain('[FAIL] manifest_contract - 1 of 1 checks failed\n  x manifest.id: bad id');
    expect(text).toContain('[PASS] ingress_definition_discipline');
    expect(text).toContain('[SKIP] secret_redaction - not selected');
    expect(ConformanceReportSchema.parse(JSON.parse(renderJson(report)))).toEqual(report);
  });
});
