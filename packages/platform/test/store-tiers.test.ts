import { describe, expect, it } from 'vitest';
import { acceptedRun, ANONYMOUS_CREDENTIAL_REF } from '@integration/contracts';
import { withAdmin } from '@integration/test-kit';
import { storeTiers } from '../src/testing';

const tiers = await storeTiers({ label: 'test_kit' });
const at = '2026-01-01T00:00:00.000Z';
const run = (runId: string) =>
  acceptedRun({ runId, capabilityId: 'kit.op', connectorId: 'kit', runtimeClass: 'direct', credentialRef: ANONYMOUS_CREDENTIAL_REF, at, input: { canary: 'kit-canary-7f3a' } });

describe.each(tiers)('store tier $name', (tier) => {
  it.skipIf(tier.unavailable !== null)('opens a migrated instance that a reopened view shares, and cleans up after itself', async () => {
    const instance = await tier.create();
    try {
      await instance.stores.ledger.putRun(run('run_kit_1'));
      const other = await instance.reopen();
      expect((await other.ledger.fetchRun('run_kit_1'))?.input).toEqual({ canary: 'kit-canary-7f3a' });
      if (tier.name === 'memory') expect(instance.rawContents).toBeUndefined();
      else expect((await instance.rawContents!()).toString('latin1')).toContain('kit-canary-7f3a');
    } finally {
      await instance.cleanup();
    }
  });
});

it.skipIf(tiers.find((t) => t.name === 'postgres')!.unavailable !== null)('drops the Postgres schema it made on cleanup', async () => {
  const instance = await tiers.find((t) => t.name === 'postgres')!.create();
  await instance.cleanup();
  const left = await withAdmin((client) => client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name LIKE 't_test_kit_%'"));
  expect(left.rowCount).toBe(0);
});
