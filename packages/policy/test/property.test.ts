import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError, type PolicyContractInput } from '@integration/contracts';
import { evaluatePolicy, type PolicyInput } from '../src';
import { capabilityWith } from './fixtures';

const OP = 'test.item.fetch';
const ids = ['a', 'b', 'c'];
const scopes = ['repo:read', 'repo:write', 'admin'];
const levels = ['strict', 'standard', 'none'] as const;
const egresses = ['blocked', 'restricted', 'open'] as const;
const approvals = ['none', 'auto', 'manual'] as const;
const classes = ['direct', 'session', 'stream'] as const;
const tools = ['git', 'rg', 'curl'];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const maybeNull = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), fc.constant(null), arb);
const subset = <T>(values: readonly T[]) => fc.subarray([...values]);
const optionalId = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), fc.constantFrom(...ids));

const contractArb: fc.Arbitrary<PolicyContractInput> = fc.record({
  actor: fc.record({ required: fc.boolean(), allowedIds: subset(ids) }),
  tenant: fc.record({ required: fc.boolean(), allowedIds: subset(ids) }),
  environment: fc.record({ allowed: subset(['dev', 'prod']) }),
  runtime: fc.record({ allowed: maybe(subset(classes)) }, { requiredKeys: [] }),
  allowedOperations: maybe(subset([OP, 'test.item.other'])),
  sandbox: fc.record(
    {
      level: fc.constantFrom(...levels),
      egress: fc.constantFrom(...egresses),
      approvals: fc.constantFrom(...approvals),
      fileScope: fc.constantFrom('/w', '/x'),
      allowedTools: subset(tools),
    },
    { requiredKeys: [] },
  ),
}, { requiredKeys: [] }) as fc.Arbitrary<PolicyContractInput>;

const requestArb = fc.record(
  {
    actorId: optionalId,
    tenantId: optionalId,
    environment: fc.constantFrom(undefined, 'dev', 'prod', 'qa'),
    traceId: maybe(fc.string()),
    allowedOperations: subset([OP, 'test.item.other']),
    runtimeClass: maybe(fc.constantFrom(...classes)),
    sandbox: maybeNull(
      fc.record(
        {
          level: fc.constantFrom(...levels),
          egress: fc.constantFrom(...egresses),
          approvals: fc.constantFrom(...approvals),
          fileScope: fc.constantFrom('/w', '/x', null),
          allowedTools: subset(tools),
        },
        { requiredKeys: [] },
      ),
    ),
    pressure: maybeNull(fc.record({ decision: fc.constantFrom('admit', 'backoff', 'shed'), reason: maybe(fc.string()) }, { requiredKeys: ['decision'] })),
  },
  { requiredKeys: ['allowedOperations'] },
);

const caseArb = fc.record({
  contract: contractArb,
  requiredScopes: subset(scopes),
  credential: fc.record({ refId: fc.constant('cred_1'), tenantId: fc.constantFrom(null, ...ids), scopes: subset(scopes) }),
  request: requestArb,
});

const rank = (order: readonly string[], value: string) => order.indexOf(value);
const blank = (v: string | null | undefined): v is null | undefined | '' => v === undefined || v === null || v.trim() === '';

/** An independent restatement of the admission rules: does any rule deny? */
type Case = {
  contract: PolicyContractInput;
  requiredScopes: string[];
  credential: { refId: string; tenantId: string | null; scopes: string[] };
  request: PolicyInput['request'];
};

/** An independent restatement of the admission rules: does any rule deny? */
function oracleDenies(c: Case): boolean {
  const { contract: p, requiredScopes, credential, request: r } = c;
  const actorIds = p.actor?.allowedIds ?? [];
  const tenantIds = p.tenant?.allowedIds ?? [];
  const envs = p.environment?.allowed ?? [];
  const allowedClasses = p.runtime?.allowed ?? ['direct'];
  const contractOps = p.allowedOperations ?? [OP];
  const cs = { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null as string | null, allowedTools: [] as string[], ...p.sandbox };
  const rs = { ...cs, ...Object.fromEntries(Object.entries(r.sandbox ?? {}).filter(([, v]) => v !== undefined)) };
  const checks = [
    !r.allowedOperations.includes(OP),
    !contractOps.includes(OP),
    blank(r.actorId) ? (p.actor?.required ?? false) || actorIds.length > 0 : actorIds.length > 0 && !actorIds.includes(r.actorId),
    blank(r.tenantId)
      ? (p.tenant?.required ?? false) || tenantIds.length > 0
      : (tenantIds.length > 0 && !tenantIds.includes(r.tenantId)) || (credential.tenantId !== null && credential.tenantId !== r.tenantId),
    envs.length > 0 && (blank(r.environment) || !envs.includes(r.environment)),
    !allowedClasses.includes(r.runtimeClass ?? 'direct'),
    requiredScopes.some((s) => !credential.scopes.includes(s)),
    rank(levels, rs.level) > rank(levels, cs.level),
    rank(egresses, rs.egress) > rank(egresses, cs.egress),
    rank(approvals, rs.approvals) < rank(approvals, cs.approvals),
    cs.fileScope !== null && rs.fileScope !== cs.fileScope,
    cs.allowedTools.some((t) => !rs.allowedTools.includes(t)),
    rs.level === 'none' && rs.approvals !== 'manual',
  ];
  return checks.some(Boolean);
}

describe('policy properties', () => {
  it('denied iff some rule denies; shed only when pressure sheds and nothing denies', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const capability = capabilityWith(c.contract, c.requiredScopes);
        const decision = evaluatePolicy({ capability, credential: c.credential, request: c.request });
        const denies = oracleDenies(c as Case);
        const sheds = c.request.pressure?.decision === 'shed';
        expect(decision.status).toBe(denies ? 'denied' : sheds ? 'shed' : 'allowed');
        expect(decision.reasons.length > 0).toBe(decision.status !== 'allowed');
        expect(new Set(decision.reasons).size).toBe(decision.reasons.length);
        expect(decision.auditContext.pressure).toEqual(c.request.pressure ? { ...c.request.pressure } : null);
      }),
      { numRuns: 300 },
    );
  });

  it('invalid input is a ValidationError invalid_argument, never another throw', () => {
    const capability = capabilityWith();
    const valid: PolicyInput = { capability, credential: { refId: 'cred_1', tenantId: null, scopes: [] }, request: { allowedOperations: [OP] } };
    const corrupt = fc.oneof(
      fc.anything().map((junk) => junk as unknown as PolicyInput),
      fc.anything().map((junk) => ({ ...valid, credential: junk }) as unknown as PolicyInput),
      fc.anything().filter((j) => j !== undefined && !Array.isArray(j)).map((junk) => ({ ...valid, request: { allowedOperations: junk } }) as unknown as PolicyInput),
      fc.anything().filter((j) => j !== undefined).map((junk) => ({ ...valid, request: { ...valid.request, sandbox: { level: junk } } }) as unknown as PolicyInput),
      fc.anything().map((junk) => ({ ...valid, capability: { ...capability, policy: junk } }) as unknown as PolicyInput),
      fc.anything().filter((j) => typeof j !== 'string').map((junk) => ({ ...valid, credential: { ...valid.credential, refId: junk } }) as unknown as PolicyInput),
    );
    fc.assert(
      fc.property(corrupt, (input) => {
        try {
          evaluatePolicy(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).code).toBe('invalid_argument');
          return;
        }
        throw new Error(`accepted invalid input: ${String(JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).slice(0, 200)}`);
      }),
      { numRuns: 300 },
    );
  });
});
