import { describe, expect, it } from 'vitest';
import { evaluatePolicy, explainPolicy, policyRules } from '../src';
import { capabilityWith, inputFor } from './fixtures';

const decide = (...args: Parameters<typeof inputFor>) => evaluatePolicy(inputFor(...args));

describe('baseline', () => {
  it('allows a request that satisfies every rule, with no reasons', () => {
    const decision = decide();
    expect(decision.status).toBe('allowed');
    expect(decision.reasons).toEqual([]);
  });

  it('exports every rule in evaluation order', () => {
    expect(policyRules.map((r) => r.name)).toEqual([
      'require_operation',
      'require_actor',
      'require_tenant',
      'require_environment',
      'require_runtime_class',
      'require_scopes',
      'enforce_sandbox',
      'respect_pressure',
    ]);
  });
});

describe('require_operation', () => {
  it('allows when the request and the contract grant the capability', () => {
    expect(decide({ request: { allowedOperations: ['other.op', 'test.item.fetch'] } }).status).toBe('allowed');
  });
  it('denies when the request does not grant it', () => {
    const d = decide({ request: { allowedOperations: ['other.op'] } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['operation test.item.fetch is not granted for dispatch']);
  });
  it('denies an empty allowedOperations', () => {
    expect(decide({ request: { allowedOperations: [] } }).reasons).toEqual(['operation test.item.fetch is not granted for dispatch']);
  });
  it('denies when the contract does not allow it', () => {
    const d = decide({ capability: capabilityWith({ allowedOperations: ['test.item.other'] }) });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['operation test.item.fetch is not allowed by the capability contract']);
  });
});

describe('require_actor', () => {
  const required = capabilityWith({ actor: { required: true } });
  const allowlisted = capabilityWith({ actor: { allowedIds: ['alice', 'bob'] } });
  it('allows no actor when none is required', () => {
    expect(decide().status).toBe('allowed');
  });
  it('allows a present actor when required', () => {
    expect(decide({ capability: required, request: { actorId: 'alice' } }).status).toBe('allowed');
  });
  it('denies a missing or blank actor when required', () => {
    expect(decide({ capability: required }).reasons).toEqual(['actor_id is required']);
    expect(decide({ capability: required, request: { actorId: '  ' } }).reasons).toEqual(['actor_id is required']);
    expect(decide({ capability: required, request: { actorId: null } }).reasons).toEqual(['actor_id is required']);
  });
  it('allows an allowlisted actor and denies others', () => {
    expect(decide({ capability: allowlisted, request: { actorId: 'bob' } }).status).toBe('allowed');
    const d = decide({ capability: allowlisted, request: { actorId: 'mallory' } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['actor mallory is not allowed']);
  });
  it('denies a missing actor when an allowlist is set', () => {
    expect(decide({ capability: allowlisted }).reasons).toEqual(['actor_id is required']);
  });
});

describe('require_tenant', () => {
  const required = capabilityWith({ tenant: { required: true } });
  const allowlisted = capabilityWith({ tenant: { allowedIds: ['tenant-a'] } });
  it('allows a missing tenant when none is required', () => {
    expect(decide({ request: { tenantId: undefined } }).status).toBe('allowed');
  });
  it('denies a missing tenant when required', () => {
    expect(decide({ capability: required, request: { tenantId: undefined } }).reasons).toEqual(['tenant_id is required']);
    expect(decide({ capability: required, request: { tenantId: '' } }).reasons).toEqual(['tenant_id is required']);
  });
  it('allows the credential tenant when required', () => {
    expect(decide({ capability: required }).status).toBe('allowed');
  });
  it('denies a tenant different from the credential tenant', () => {
    const d = decide({ request: { tenantId: 'tenant-b' } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['tenant tenant-b cannot use credential for tenant tenant-a']);
  });
  it('does not compare when the credential has no tenant', () => {
    expect(decide({ credential: { tenantId: null }, request: { tenantId: 'tenant-b' } }).status).toBe('allowed');
  });
  it('applies the allowlist', () => {
    expect(decide({ capability: allowlisted }).status).toBe('allowed');
    const d = decide({ capability: allowlisted, credential: { tenantId: null }, request: { tenantId: 'tenant-z' } });
    expect(d.reasons).toEqual(['tenant tenant-z is not allowed']);
    expect(decide({ capability: allowlisted, request: { tenantId: undefined } }).reasons).toEqual(['tenant_id is required']);
  });
  it('reports allowlist and credential mismatch together', () => {
    const d = decide({ capability: allowlisted, request: { tenantId: 'tenant-z' } });
    expect(d.reasons).toEqual(['tenant tenant-z is not allowed', 'tenant tenant-z cannot use credential for tenant tenant-a']);
  });
});

describe('require_environment', () => {
  const restricted = capabilityWith({ environment: { allowed: ['staging', 'prod'] } });
  it('allows any environment (or none) with an empty allowlist', () => {
    expect(decide({ request: { environment: 'anything' } }).status).toBe('allowed');
    expect(decide().status).toBe('allowed');
  });
  it('allows a listed environment', () => {
    expect(decide({ capability: restricted, request: { environment: 'prod' } }).status).toBe('allowed');
  });
  it('denies an unlisted or missing environment', () => {
    expect(decide({ capability: restricted, request: { environment: 'dev' } }).reasons).toEqual([
      'environment dev is not allowed (allowed: staging, prod)',
    ]);
    expect(decide({ capability: restricted }).reasons).toEqual(['environment <unset> is not allowed (allowed: staging, prod)']);
  });
});

describe('require_runtime_class', () => {
  it("allows the capability's own class by default", () => {
    expect(decide().executionPolicy.runtimeClass).toBe('direct');
    expect(decide().status).toBe('allowed');
  });
  it('denies a class the contract does not allow', () => {
    const d = decide({ request: { runtimeClass: 'session' } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['runtime class session is not allowed (allowed: direct)']);
  });
  it('denies the capability class when the contract restricts to others', () => {
    const d = decide({ capability: capabilityWith({ runtime: { allowed: ['stream'] } }) });
    expect(d.reasons).toEqual(['runtime class direct is not allowed (allowed: stream)']);
  });
  it('allows a routed class the contract lists', () => {
    const capability = capabilityWith({ runtime: { allowed: ['direct', 'session'] } });
    const d = decide({ capability, request: { runtimeClass: 'session' } });
    expect(d.status).toBe('allowed');
    expect(d.executionPolicy.runtimeClass).toBe('session');
  });
});

describe('require_scopes', () => {
  it('allows when granted scopes cover the required ones', () => {
    const capability = capabilityWith({}, ['repo:read', 'repo:write']);
    expect(decide({ capability, credential: { scopes: ['repo:write', 'admin', 'repo:read'] } }).status).toBe('allowed');
  });
  it('denies listing every missing scope', () => {
    const capability = capabilityWith({}, ['admin', 'repo:read', 'repo:write']);
    const d = decide({ capability, credential: { scopes: ['repo:read'] } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['missing required scopes: admin, repo:write']);
  });
  it('allows a capability without scopes and an empty credential', () => {
    expect(decide({ capability: capabilityWith({}, []), credential: { scopes: [] } }).status).toBe('allowed');
  });
});

describe('enforce_sandbox', () => {
  const strictContract = capabilityWith({
    sandbox: { level: 'strict', egress: 'blocked', approvals: 'manual', fileScope: '/workspace', allowedTools: ['git', 'rg'] },
  });
  it('allows the contract sandbox when the request has none', () => {
    expect(decide({ capability: strictContract }).status).toBe('allowed');
  });
  it('allows a stricter request', () => {
    const d = decide({ request: { sandbox: { level: 'strict', egress: 'blocked', approvals: 'manual' } } });
    expect(d.status).toBe('allowed');
  });
  it('denies a weaker level', () => {
    expect(decide({ capability: strictContract, request: { sandbox: { level: 'standard' } } }).reasons).toEqual([
      'sandbox level standard is weaker than required strict',
    ]);
  });
  it('denies wider egress', () => {
    expect(decide({ request: { sandbox: { egress: 'open' } } }).reasons).toEqual(['sandbox egress open is wider than allowed restricted']);
  });
  it('denies weaker approvals', () => {
    expect(decide({ request: { sandbox: { approvals: 'none' } } }).reasons).toEqual([
      'sandbox approvals none are weaker than required auto',
    ]);
  });
  it('denies a different or cleared file scope', () => {
    expect(decide({ capability: strictContract, request: { sandbox: { fileScope: '/tmp' } } }).reasons).toEqual([
      'sandbox file_scope /tmp does not match required /workspace',
    ]);
    expect(decide({ capability: strictContract, request: { sandbox: { fileScope: null } } }).reasons).toEqual([
      'sandbox file_scope <unset> does not match required /workspace',
    ]);
  });
  it('lets the request choose a file scope when the contract has none', () => {
    const d = decide({ request: { sandbox: { fileScope: '/repo' } } });
    expect(d.status).toBe('allowed');
    expect(d.executionPolicy.sandbox.fileScope).toBe('/repo');
  });
  it('denies requested tools that leave out required ones', () => {
    expect(decide({ capability: strictContract, request: { sandbox: { allowedTools: ['git'] } } }).reasons).toEqual([
      'sandbox allowed_tools is missing required tools: rg',
    ]);
  });
  it('denies level none without manual approvals', () => {
    const open = capabilityWith({ sandbox: { level: 'none', egress: 'open', approvals: 'none' } });
    expect(decide({ capability: open }).reasons).toEqual(['sandbox level none requires manual approvals']);
    expect(decide({ capability: open, request: { sandbox: { approvals: 'manual' } } }).status).toBe('allowed');
  });
  it('accumulates every sandbox reason in order', () => {
    const d = decide({
      capability: strictContract,
      request: { sandbox: { level: 'none', egress: 'open', approvals: 'auto', fileScope: '/etc', allowedTools: [] } },
    });
    expect(d.reasons).toEqual([
      'sandbox level none is weaker than required strict',
      'sandbox egress open is wider than allowed blocked',
      'sandbox approvals auto are weaker than required manual',
      'sandbox file_scope /etc does not match required /workspace',
      'sandbox allowed_tools is missing required tools: git, rg',
      'sandbox level none requires manual approvals',
    ]);
  });
});

describe('respect_pressure', () => {
  it('admits on admit and backoff', () => {
    expect(decide({ request: { pressure: { decision: 'admit' } } }).status).toBe('allowed');
    expect(decide({ request: { pressure: { decision: 'backoff', reason: 'busy' } } }).status).toBe('allowed');
  });
  it('sheds with the given or the default reason', () => {
    const d = decide({ request: { pressure: { decision: 'shed', reason: 'queue full' } } });
    expect(d.status).toBe('shed');
    expect(d.reasons).toEqual(['queue full']);
    expect(decide({ request: { pressure: { decision: 'shed' } } }).reasons).toEqual(['pressure shed requested']);
  });
});

describe('verdict', () => {
  it('deny beats shed: shed reasons are dropped, pressure stays in the audit', () => {
    const d = decide({ request: { allowedOperations: [], pressure: { decision: 'shed', reason: 'queue full' } } });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['operation test.item.fetch is not granted for dispatch']);
    expect(d.auditContext.pressure).toEqual({ decision: 'shed', reason: 'queue full' });
  });
  it('accumulates reasons across rules in rule order', () => {
    const capability = capabilityWith({ actor: { required: true }, environment: { allowed: ['prod'] } }, ['admin']);
    const d = decide({ capability, credential: { scopes: [] }, request: { allowedOperations: [], tenantId: 'tenant-b' } });
    expect(d.reasons).toEqual([
      'operation test.item.fetch is not granted for dispatch',
      'actor_id is required',
      'tenant tenant-b cannot use credential for tenant tenant-a',
      'environment <unset> is not allowed (allowed: prod)',
      'missing required scopes: admin',
    ]);
  });
  it('de-duplicates reasons from custom rules', () => {
    const rule = { name: 'twice', description: '', evaluate: () => ({ verdict: 'deny' as const, reasons: ['same', 'same'] }) };
    expect(evaluatePolicy(inputFor(), { rules: [rule, rule] }).reasons).toEqual(['same']);
  });
  it('fails closed when a custom rule throws or misbehaves', () => {
    const throwing = { name: 'boom', description: '', evaluate: () => { throw new Error('secret-value'); } };
    const odd = { name: 'odd', description: '', evaluate: () => ({ verdict: 'deny' as const, reasons: [] }) };
    const d = evaluatePolicy(inputFor(), { rules: [throwing, odd] });
    expect(d.status).toBe('denied');
    expect(d.reasons).toEqual(['policy rule boom failed', 'policy rule odd returned an invalid outcome']);
  });
  it('explains each rule outcome', () => {
    const { trace } = explainPolicy(inputFor({ request: { pressure: { decision: 'shed' } } }));
    expect(trace.map((t) => t.outcome.verdict)).toEqual(['allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'shed']);
  });
});

describe('execution policy and audit context', () => {
  it('takes level/egress/approvals from the contract and narrows tools', () => {
    const capability = capabilityWith({ sandbox: { allowedTools: ['git'] } });
    const d = decide({ capability, request: { sandbox: { level: 'strict', egress: 'blocked', approvals: 'manual', allowedTools: ['git', 'curl'] } } });
    expect(d.status).toBe('allowed');
    expect(d.executionPolicy).toEqual({
      runtimeClass: 'direct',
      sandbox: { level: 'standard', egress: 'restricted', approvals: 'auto', fileScope: null, allowedTools: ['git'] },
    });
  });
  it('keeps the requested tools when the contract lists none', () => {
    expect(decide({ request: { sandbox: { allowedTools: ['curl'] } } }).executionPolicy.sandbox.allowedTools).toEqual(['curl']);
  });
  it('prefers the contract file scope', () => {
    const capability = capabilityWith({ sandbox: { fileScope: '/workspace' } });
    expect(decide({ capability }).executionPolicy.sandbox.fileScope).toBe('/workspace');
  });
  it('records the audit context with a redacted pressure', () => {
    const d = decide({
      request: {
        actorId: 'alice',
        environment: 'prod',
        traceId: 'trace-1',
        sandbox: { egress: 'blocked' },
        pressure: { decision: 'admit', reason: 'ok' },
      },
    });
    expect(d.auditContext).toEqual({
      actorId: 'alice',
      tenantId: 'tenant-a',
      environment: 'prod',
      traceId: 'trace-1',
      connectorId: 'test',
      capabilityId: 'test.item.fetch',
      runtimeClass: 'direct',
      credentialRefId: 'cred_1',
      pressure: { decision: 'admit', reason: 'ok' },
      sandbox: { level: 'standard', egress: 'blocked', approvals: 'auto', fileScope: null, allowedTools: [] },
      allowedOperations: ['test.item.fetch'],
    });
    expect(decide().auditContext.pressure).toBeNull();
  });
  it('does not mutate its input', () => {
    const input = inputFor({ request: { sandbox: { allowedTools: ['git'] } } });
    const before = JSON.stringify({ credential: input.credential, request: input.request, policy: (input.capability as { policy: unknown }).policy });
    const d = evaluatePolicy(input);
    d.auditContext.sandbox.allowedTools.push('x');
    d.executionPolicy.sandbox.allowedTools.push('y');
    expect(JSON.stringify({ credential: input.credential, request: input.request, policy: (input.capability as { policy: unknown }).policy })).toBe(before);
  });
});
