import type { StoreCheck } from '../battery';
import { assert } from '../assert';
import { at, attempt, checkpoint, connection, credential, event, install, job, lease, route, run, target, trigger, artifact } from '../fixtures';

export const durabilityChecks: StoreCheck[] = [
  {
    id: 'durability.reopen_keeps_everything',
    title: 'after close and reopen every record of every store is still there, and the tier keeps working',
    async run(ctx) {
      const s = ctx.stores;
      await s.ledger.putRun(run({ runId: 'run_r', idempotencyKey: 'idem-r' }));
      await s.ledger.putAttempt(attempt('run_r', 1, { aggregatorEpoch: 3 }));
      await s.ledger.appendEvents([event('run_r', null, 0), event('run_r', 1, 0), event('run_r', 1, 1)]);
      await s.ledger.putArtifact(artifact('run_r', 'art_r'));
      await s.ledger.putTarget(target('tgt_r'));
      await s.auth.putInstall(install('ins_r'));
      await s.auth.putConnection(connection('conn_r'));
      await s.auth.putCredential(credential('cred_r'));
      await s.auth.putLease(lease('lease_r', 'conn_r'));
      await s.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'tr', dedupeKey: 'k' }, at(10_000), at(0));
      await s.ingress.putTrigger(trigger('adm_r', { runId: 'run_r' }));
      await s.ingress.putCheckpoint(checkpoint('p-r'));
      await s.ingress.putCheckpoint(checkpoint('p-r', { cursor: 'c-2' }));
      await s.dispatch.enqueue(job('disp_r'));
      await s.dispatch.claim({ leaseOwner: 'w', limit: 1, leaseMs: 5000, now: Date.parse(at(10)) });
      await s.routes.putRoute(route('route_r'));
      await s.routes.putRoute(route('route_r', { status: 'disabled' }));
      const dump = async (x: typeof s) => ({
        run: await x.ledger.fetchRun('run_r'),
        idem: await x.ledger.findRunByIdempotencyKey('acme.issue.create', 'idem-r'),
        attempts: await x.ledger.listAttempts('run_r'),
        events: await x.ledger.listEvents('run_r'),
        nextSeq: await x.ledger.nextSeq('run_r', 'run_r:1'),
        artifacts: await x.ledger.listArtifacts('run_r'),
        targets: await x.ledger.listTargets(),
        installs: await x.auth.listInstalls(),
        connections: await x.auth.listConnections(),
        credentials: await x.auth.listCredentials(),
        lease: await x.auth.fetchLease('lease_r'),
        triggers: await x.ingress.listRunTriggers('run_r'),
        checkpoint: await x.ingress.fetchCheckpoint(checkpoint('p-r')),
        jobs: await x.dispatch.listJobs(),
        routes: await x.routes.listRoutes(),
      });
      const before = await dump(s);
      const reopened = await ctx.reopen();
      assert.deepEqual(await dump(reopened), before);
      assert.equal(
        await reopened.ingress.reserveDedupe({ tenantId: 't', connectorId: 'c', triggerId: 'tr', dedupeKey: 'k' }, at(10_000), at(1)),
        'duplicate',
        'dedupe reservations survive a restart',
      );
      assert.equal((await reopened.ingress.putCheckpoint(checkpoint('p-r'))).revision, 3);
      const [reclaimed] = await reopened.dispatch.claim({ leaseOwner: 'w2', limit: 1, leaseMs: 5000, now: Date.parse(at(10)) + 5001 });
      assert.equal(reclaimed?.lastError?.code, 'lock_lost', 'a lease held before the restart expires and the job is reclaimed');
      await reopened.migrate();
      await reopened.migrate();
      assert.deepEqual((await reopened.ledger.fetchRun('run_r'))?.runId, 'run_r', 'migrate() is idempotent');
    },
  },
];
