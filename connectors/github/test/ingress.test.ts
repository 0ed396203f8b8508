import { describe, expect, it } from 'vitest';
import { memoryStores } from '@integration/store-memory';
import { AdmissionRejectedError, createIngress, definitionFromTrigger } from '@integration/ingress';
import { github } from '../src';
import { issueOpenedPayload, signGitHubPayload } from '../src/testing';

const SECRET = 'whsec_github_ingress_test_secret';

async function setup() {
  const connector = github();
  const trigger = connector.triggers.find((t) => t.id === 'github.issue.opened')!;
  const stores = memoryStores();
  await stores.migrate();
  const ingress = createIngress({ stores, capabilities: { fetchCapability: (id) => connector.capabilities.find((c) => c.id === id)! } });
  const definition = definitionFromTrigger('github', trigger, { secret: SECRET });
  return { ingress, definition, stores };
}

function delivery(payload: unknown, deliveryId: string, secret = SECRET) {
  const rawBody = JSON.stringify(payload);
  return {
    tenantId: 'tenant-a',
    rawBody,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/abc1234',
      'x-github-event': 'issues',
      'x-github-delivery': deliveryId,
      'x-github-hook-id': '512345678',
      'x-hub-signature-256': signGitHubPayload(rawBody, secret),
    },
  };
}

/** The trigger's declaration drives the real ingress: GitHub signatures, delivery-id dedupe, signal schema. */
describe('github.issue.opened through ingress', () => {
  it('admits a signed delivery once; the redelivery is a duplicate of the same run', async () => {
    const { ingress, definition } = await setup();
    const payload = issueOpenedPayload({ number: 12 });
    const first = await ingress.admitWebhook(delivery(payload, '72d3162e-cc78-11e3-81ab-4c9367dc0958'), definition);
    expect(first.status).toBe('accepted');
    expect(first.run.status).toBe('accepted');
    expect(first.trigger).toMatchObject({ externalId: '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
    const again = await ingress.admitWebhook(delivery(payload, '72d3162e-cc78-11e3-81ab-4c9367dc0958'), definition);
    expect(again.status).toBe('duplicate');
    expect(again.run.runId).toBe(first.run.runId);
  });

  it('rejects a wrong signature (signature_invalid) and other issue actions (invalid payload)', async () => {
    const { ingress, definition, stores } = await setup();
    const forged = await ingress.admitWebhook(delivery(issueOpenedPayload(), 'd-1', 'not-the-secret'), definition).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(AdmissionRejectedError);
    expect((forged as AdmissionRejectedError).code).toBe('signature_invalid');
    const edited = await ingress.admitWebhook(delivery({ ...issueOpenedPayload(), action: 'edited' }, 'd-2'), definition).catch((e: unknown) => e);
    expect(edited).toBeInstanceOf(AdmissionRejectedError);
    expect((edited as AdmissionRejectedError).code).toBe('invalid_trigger');
    const ping = await ingress.admitWebhook(delivery({ zen: 'Design for failure.', hook_id: 1 }, 'd-3'), definition).catch((e: unknown) => e);
    expect(ping).toBeInstanceOf(AdmissionRejectedError);
    // Rejections are stored with their reason and create no run.
    expect((ping as AdmissionRejectedError).trigger?.status).toBe('rejected');
    expect(await stores.ledger.listRuns()).toEqual([]);
  });
});
