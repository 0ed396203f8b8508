import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreCheck } from '../battery';
import { assert } from '../assert';

/** How long a second transaction gets to (wrongly) start while the first is held open. */
const OVERLAP_WINDOW_MS = 30;

export const capabilityChecks: StoreCheck[] = [
  {
    id: 'capabilities.declared',
    title: 'the stores declare every capability as a boolean',
    async run(ctx) {
      const { capabilities } = ctx.stores;
      assert.equal(typeof capabilities, 'object', 'stores.capabilities is missing');
      assert.equal(typeof capabilities.serializedTransactions, 'boolean', 'capabilities.serializedTransactions');
    },
  },
  {
    id: 'capabilities.serialized_transactions',
    title: 'declared serializedTransactions: a second transaction starts only after the first ends',
    async run(ctx) {
      if (!ctx.stores.capabilities.serializedTransactions) ctx.skip('the stores run transactions in parallel');
      const order: string[] = [];
      let releaseFirst = (): void => {};
      const held = new Promise<void>((resolve) => (releaseFirst = resolve));
      const first = ctx.stores.transaction(async () => {
        order.push('first started');
        await held;
        order.push('first ended');
      });
      await sleep(1);
      const second = ctx.stores.transaction(async () => {
        order.push('second started');
      });
      await sleep(OVERLAP_WINDOW_MS);
      releaseFirst();
      await Promise.all([first, second]);
      assert.deepEqual(order, ['first started', 'first ended', 'second started']);
    },
  },
];
