import { describe, expect, it } from 'vitest';
import { github } from '../src';
import { runCapability } from './support/harness';

describe('conformance fixtures (each twice, against the setup\'s fake GitHub)', () => {
  it('every capability has a fixture; each replays identically and meets its expectations', async () => {
    const spec = github().conformance!;
    expect(new Set(spec.fixtures.map((f) => f.capabilityId))).toEqual(new Set(github().capabilities.map((c) => c.id)));
    const env = await spec.setup!();
    try {
      for (const fixture of spec.fixtures) {
        const runs = [];
        for (let i = 0; i < 2; i += 1) {
          const payload = fixture.lease?.payload ?? {};
          runs.push(await runCapability(env.connector!, fixture.capabilityId, fixture.input, { token: payload.access_token ?? null, subject: fixture.lease?.subject ?? 'octocat' }));
        }
        const [first, second] = runs as [Awaited<ReturnType<typeof runCapability>>, Awaited<ReturnType<typeof runCapability>>];
        expect(first.error, fixture.name).toBeNull();
        expect(second.output, fixture.name).toEqual(first.output);
        expect(second.events, fixture.name).toEqual(first.events);
        expect(first.events.map((e) => e.type), fixture.name).toEqual(fixture.expect?.eventTypes);
        expect(first.artifacts.map((a) => a.input.type), fixture.name).toEqual(fixture.expect?.artifactTypes);
        expect(first.output, fixture.name).toEqual(fixture.expect?.output);
      }
    } finally {
      await env.teardown?.();
    }
  });
});
