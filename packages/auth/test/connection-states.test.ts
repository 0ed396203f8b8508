import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectorError, ConnectionStateSchema, isoAt, type ConnectionState } from '@integration/contracts';
import { assertLeasable, assertTransition, canTransition, connectionStates, connectionTransitions, type AuthService } from '../src/index';
import { failure, harness, testConnector } from './support/fixtures';

/** The reference table (§3.2), written out independently, plus the deliberate degraded → installing. */
const expected: Record<ConnectionState, ConnectionState[]> = {
  installing: ['connected', 'reauth_required', 'revoked', 'disabled'],
  connected: ['installing', 'degraded', 'reauth_required', 'revoked', 'disabled'],
  degraded: ['connected', 'reauth_required', 'revoked', 'disabled', 'installing'],
  reauth_required: ['installing', 'revoked', 'disabled'],
  revoked: ['installing', 'disabled'],
  disabled: ['installing'],
};

const stateArb = fc.constantFrom(...ConnectionStateSchema.options);

describe('connection state machine (data)', () => {
  it('covers every state and matches the reference table', () => {
    expect([...connectionStates].sort()).toEqual([...ConnectionStateSchema.options].sort());
    for (const from of connectionStates) expect([...connectionTransitions[from]].sort()).toEqual([...expected[from]].sort());
  });

  it('allows exactly the listed moves and same-state no-ops; everything else is a typed error', () => {
    fc.assert(
      fc.property(stateArb, stateArb, (from, to) => {
        const allowed = from === to || expected[from].includes(to);
        expect(canTransition(from, to)).toBe(allowed);
        if (allowed) expect(() => assertTransition({ connectionId: 'conn_x', state: from }, to)).not.toThrow();
        else
          expect(() => assertTransition({ connectionId: 'conn_x', state: from }, to)).toThrowError(
            expect.objectContaining({ code: 'invalid_connection_transition', details: { connectionId: 'conn_x', from, to } }),
          );
      }),
    );
  });

  it('serves leases only from connected and degraded, with a code per blocked state', () => {
    const codes: Record<ConnectionState, string | null> = {
      connected: null,
      degraded: null,
      installing: 'connection_installing',
      reauth_required: 'reauth_required',
      revoked: 'connection_revoked',
      disabled: 'connection_disabled',
    };
    fc.assert(
      fc.property(stateArb, (state) => {
        const code = codes[state];
        if (code === null) expect(() => assertLeasable({ connectionId: 'c', state })).not.toThrow();
        else expect(() => assertLeasable({ connectionId: 'c', state })).toThrowError(expect.objectContaining({ code }));
      }),
    );
  });

  it('every state is reachable and every non-installing state can get back to installing', () => {
    const reach = new Set<ConnectionState>(['installing']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const from of [...reach]) for (const to of connectionTransitions[from]) if (!reach.has(to)) (reach.add(to), (grew = true));
    }
    expect(reach.size).toBe(connectionStates.length);
    for (const state of connectionStates) if (state !== 'installing') expect(canTransition(state, 'installing')).toBe(true);
  });
});

// ---- model-based: random operation sequences against the real service ----

type RefreshMode = 'ok' | 'transient' | 'auth_failed';
interface Model {
  state: ConnectionState;
  pending: { installId: string; callbackToken: string; previous: ConnectionState | null } | null;
  hasCredential: boolean;
  /** Installs and rotations store an already expired credential; a good refresh makes it valid. */
  expired: boolean;
}
interface Real {
  auth: AuthService;
  connectionId: string;
  control: { mode: RefreshMode };
  now: () => number;
  transitions: Array<[ConnectionState, ConnectionState]>;
}

const blockedCode: Partial<Record<ConnectionState, string>> = {
  installing: 'connection_installing',
  reauth_required: 'reauth_required',
  revoked: 'connection_revoked',
  disabled: 'connection_disabled',
};

async function observe(real: Real, before: ConnectionState, model: Model) {
  const after = (await real.auth.connectionStatus(real.connectionId)).state;
  real.transitions.push([before, after]);
  expect(canTransition(before, after)).toBe(true);
  expect(after).toBe(model.state);
}

async function expectCode(fn: () => Promise<unknown>, code: string) {
  expect((await failure(fn)).code).toBe(code);
}

class Reinstall implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    const before = m.state;
    if (!canTransition(m.state, 'installing')) {
      await expectCode(() => r.auth.startInstall('modelco', 'tenant-1', { subject: 'sub', connectionId: r.connectionId }), 'invalid_connection_transition');
    } else {
      const started = await r.auth.startInstall('modelco', 'tenant-1', { subject: 'sub', connectionId: r.connectionId });
      const previous = m.state === 'installing' ? (m.pending?.previous ?? null) : m.state;
      m.pending = { installId: started.install.installId, callbackToken: started.callbackToken, previous };
      m.state = 'installing';
    }
    await observe(r, before, m);
  }
  toString = () => 'reinstall';
}

class Complete implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.pending !== null;
  async run(m: Model, r: Real) {
    const before = m.state;
    const p = m.pending!;
    const attrs = { callbackToken: p.callbackToken, subject: 'sub', secret: { access_token: `tok-${r.now()}` }, expiresAt: isoAt(r.now() - 1) };
    if (!canTransition(m.state, 'connected')) {
      await expectCode(() => r.auth.completeInstall(p.installId, attrs), 'invalid_connection_transition');
    } else {
      await r.auth.completeInstall(p.installId, attrs);
      m.state = 'connected';
      m.pending = null;
      m.hasCredential = true;
      m.expired = true;
    }
    await observe(r, before, m);
  }
  toString = () => 'complete';
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.pending !== null;
  async run(m: Model, r: Real) {
    const before = m.state;
    const p = m.pending!;
    await r.auth.cancelInstall(p.installId);
    if (m.state === 'installing' && p.previous !== null && p.previous !== 'installing') {
      m.state = p.previous === 'degraded' ? 'connected' : p.previous;
    }
    m.pending = null;
    await observe(r, before, m);
  }
  toString = () => 'cancel';
}

class Rotate implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    const before = m.state;
    const attrs = { secret: { access_token: `rot-${r.now()}` }, expiresAt: isoAt(r.now() - 1) };
    if (!canTransition(m.state, 'connected')) await expectCode(() => r.auth.rotateConnection(r.connectionId, attrs), 'invalid_connection_transition');
    else if (!m.hasCredential) await expectCode(() => r.auth.rotateConnection(r.connectionId, attrs), 'unknown_credential');
    else {
      await r.auth.rotateConnection(r.connectionId, attrs);
      m.state = 'connected';
      m.expired = true;
    }
    await observe(r, before, m);
  }
  toString = () => 'rotate';
}

class End implements fc.AsyncCommand<Model, Real> {
  constructor(readonly to: 'revoked' | 'disabled') {}
  check = () => true;
  async run(m: Model, r: Real) {
    const before = m.state;
    const call = () => (this.to === 'revoked' ? r.auth.revokeConnection(r.connectionId, { reason: 'model' }) : r.auth.disableConnection(r.connectionId, { reason: 'model' }));
    if (m.state !== this.to && !canTransition(m.state, this.to)) await expectCode(call, 'invalid_connection_transition');
    else {
      await call();
      m.state = this.to;
      m.pending = null;
    }
    await observe(r, before, m);
  }
  toString = () => this.to;
}

class Lease implements fc.AsyncCommand<Model, Real> {
  constructor(readonly mode: RefreshMode) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const before = m.state;
    r.control.mode = this.mode;
    const blocked = blockedCode[m.state];
    if (blocked) await expectCode(() => r.auth.requestLease(r.connectionId), blocked);
    else if (this.mode === 'ok') {
      await r.auth.requestLease(r.connectionId);
      m.state = 'connected';
      m.expired = false;
    } else if (this.mode === 'transient') {
      // A credential that has not expired yet still leases while the connection degrades.
      if (m.expired) await expectCode(() => r.auth.requestLease(r.connectionId), 'refresh_failed');
      else await r.auth.requestLease(r.connectionId);
      m.state = 'degraded';
    } else {
      await expectCode(() => r.auth.requestLease(r.connectionId), 'reauth_required');
      m.state = 'reauth_required';
    }
    await observe(r, before, m);
  }
  toString = () => `lease(${this.mode})`;
}

describe('connection state machine (model-based, real service)', () => {
  it('random operation sequences only ever make table transitions and match the model', async () => {
    const commands = [
      fc.constant(new Reinstall()),
      fc.constant(new Complete()),
      fc.constant(new Cancel()),
      fc.constant(new Rotate()),
      fc.constant(new End('revoked')),
      fc.constant(new End('disabled')),
      fc.constantFrom<RefreshMode>('ok', 'transient', 'auth_failed').map((mode) => new Lease(mode)),
    ];
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30 }), async (cmds) => {
        const control = { mode: 'ok' as RefreshMode };
        let now = 0;
        const connector = testConnector('modelco', {
          type: 'api_token',
          refresh: async () => {
            if (control.mode === 'transient') throw new ConnectorError({ class: 'unavailable', message: 'down' });
            if (control.mode === 'auth_failed') throw new ConnectorError({ class: 'auth_failed', message: 'invalid_grant' });
            return { secret: { access_token: `fresh-${now}` }, expiresAt: isoAt(now + 1) };
          },
        });
        const h = harness({ connectors: [connector] });
        now = h.clock.now();
        const started = await h.auth.startInstall('modelco', 'tenant-1', { subject: 'sub' });
        const real: Real = { auth: h.auth, connectionId: started.connection.connectionId, control, now: () => now, transitions: [] };
        const model: Model = { state: 'installing', pending: { installId: started.install.installId, callbackToken: started.callbackToken, previous: null }, hasCredential: false, expired: true };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        for (const [from, to] of real.transitions) if (from !== to) seen.add(`${from}->${to}`);
      }),
      { numRuns: 100 },
    );
    // The runs exercised a good part of the table.
    expect(seen.size).toBeGreaterThanOrEqual(10);
  });
});
