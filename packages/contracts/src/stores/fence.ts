import { ConflictError } from '../errors/integration-error';
import type { AggregatorFence } from '../records/attempt';

/** The aggregator fencing rule every tier applies to attempt writes. */
export function checkFence(stored: AggregatorFence & { attemptId?: string }, fence: AggregatorFence): void {
  if (fence.aggregatorEpoch < stored.aggregatorEpoch) {
    throw new ConflictError('stale_aggregator_epoch', `epoch ${fence.aggregatorEpoch} is older than the stored epoch ${stored.aggregatorEpoch}`, {
      details: { attemptId: stored.attemptId, storedEpoch: stored.aggregatorEpoch, epoch: fence.aggregatorEpoch },
    });
  }
  if (fence.aggregatorEpoch === stored.aggregatorEpoch && fence.aggregatorId !== stored.aggregatorId) {
    throw new ConflictError('aggregator_id_mismatch', `epoch ${fence.aggregatorEpoch} belongs to aggregator ${stored.aggregatorId}`, {
      details: { attemptId: stored.attemptId, storedAggregatorId: stored.aggregatorId, aggregatorId: fence.aggregatorId },
    });
  }
}
