import type { ProcessWebhookBatch, SyncObject } from '../../worker/src/queues/families.js';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
import { attemptedObjects, recordSyncAttempt, recordSyncFailure, syncPausedUntil } from '../../worker/src/db/sync-cursors.js';
import type { HandlerRegistry, JobContext, JobDeps } from '../../worker/src/queues/handler-registry.js';
import type { CrmTaskWriter } from '../../worker/src/jobs/coaching-jobs.js';
import type { CrmSource } from './tenant-connections.js';

/**
 * What a CRM connector gives the worker: its object streams (synced page by page from a
 * stored cursor), the processing of the events its receiver stored, and the coaching-task
 * writer. The worker knows nothing else about HubSpot or Salesforce.
 */
export interface CrmConnector {
  readonly source: CrmSource;
  /** Object streams in dependency order (people and pipelines before deals before activities). */
  readonly objects: readonly string[];
  syncObject(payload: SyncObject, deps: JobDeps, ctx: JobContext): Promise<{ pages: number; records: number }>;
  processEvents(payload: ProcessWebhookBatch, deps: JobDeps, ctx: JobContext): Promise<{ events: number }>;
  readonly taskWriter: CrmTaskWriter;
}

/**
 * A sync failure after which the object must not sync again before `retryAfter` (e.g. the
 * CRM's daily API allocation ran out: calling again sooner only earns the same refusal).
 * Permanent, so the job runner does not retry it; crmSyncHandlers records the failure and
 * the pause together (recordSyncFailure), and the connector's check of syncPausedUntil
 * skips the object's runs until then.
 */
export class SyncPausedError extends PermanentJobError {
  readonly retryAfter: Date;

  constructor(code: string, message: string, retryAfter: Date, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SyncPausedError';
    this.retryAfter = retryAfter;
  }
}

/**
 * The cause of the sync an install starts. Each stream of that first sync that completes
 * queues the connector's next one, in `objects` order, so the first sync runs stream by
 * stream without waiting for schedules. The chain alone does not guarantee the order
 * (schedules fire their first run at once, and a chained job can merge into a waiting job
 * of another cause and end the chain there); the rule in crmSyncHandlers does: an object
 * syncs only after every earlier object was attempted once. Attempted, not succeeded, so
 * deals can still arrive before owners or stages whose stream failed.
 */
export function firstSyncCause(at: Date): string {
  return `install:${at.toISOString()}`;
}

const FIRST_SYNC = /^install:/;

/** The crm-sync job handlers: each job goes to the connector of its source, for active tenants only. */
export function crmSyncHandlers(connectors: readonly CrmConnector[]): NonNullable<HandlerRegistry['crm-sync']> {
  const bySource = new Map(connectors.map((c) => [c.source, c]));
  const connectorFor = async (source: string, tenantId: string, deps: JobDeps): Promise<CrmConnector> => {
    const connector = bySource.get(source as CrmSource);
    if (!connector) throw new PermanentJobError('invalid_input', `No ${source} connector is configured in this worker; set its app credentials in the environment`);
    const tenant = await deps.db.selectFrom('tenants').select('status').where('id', '=', tenantId).executeTakeFirst();
    if (!tenant) throw new PermanentJobError('invalid_input', `Tenant ${tenantId} does not exist; install the app first`);
    if (tenant.status !== 'active') throw new PermanentJobError('tenant_disconnected', `Tenant ${tenantId} is disconnected; reconnect the CRM from the admin console to resume syncing`);
    return connector;
  };
  return {
    'sync-object': async (payload, deps, ctx) => {
      const p = payload as SyncObject;
      const connector = await connectorFor(p.source, p.tenantId, deps);
      const index = connector.objects.indexOf(p.object);
      // An object waits until every earlier object of the connector has been attempted once for
      // the tenant (a cursor row: a committed page, a recorded failure, or a run with nothing to
      // write), whatever the job's cause: schedules fire at once and dedup can end the install
      // chain, so the chain alone does not keep the order. Attempted, not succeeded: an object
      // that can never sync (feature off, scope missing) must not hold the others back forever.
      if (index > 0) {
        const earlier = connector.objects.slice(0, index);
        const attempted = await attemptedObjects(deps.db, p.tenantId, p.source, earlier);
        const waitingFor = earlier.filter((o) => !attempted.has(o));
        if (waitingFor.length > 0) {
          deps.logger.info({ tenantId: p.tenantId, source: p.source, object: p.object, cause: p.cause, waitingFor }, 'sync waits until the objects it depends on have been synced once; the first sync chain or the next schedule runs it');
          return { pages: 0, records: 0 };
        }
      }
      // A pause a connector asked for (SyncPausedError, e.g. a CRM's daily API allocation ran out)
      // holds every run of the object until it ends: calling earlier only earns the same refusal.
      const pausedUntil = await syncPausedUntil(deps.db, p.tenantId, p.source, p.object, deps.clock.now());
      if (pausedUntil) {
        deps.logger.info({ tenantId: p.tenantId, source: p.source, object: p.object, cause: p.cause, retryAfter: pausedUntil }, 'sync paused until the CRM accepts calls again');
        return { pages: 0, records: 0 };
      }
      let result: { pages: number; records: number };
      try {
        result = await connector.syncObject(p, deps, ctx);
      } catch (err) {
        // The one place a sync failure is recorded, for every connector (they only throw). A run
        // that has given up is recorded: it counts as an attempt, so later objects are not held
        // back by one that cannot sync, and cards report the object as failing. One with retries
        // left is not (it runs again shortly). A pause the connector asks for travels on the error.
        if (index >= 0 && (err instanceof PermanentJobError || ctx.attempt >= ctx.maxAttempts)) {
          await recordSyncFailure(deps.db, p.tenantId, p.source, p.object, err instanceof Error ? err.message : String(err), err instanceof SyncPausedError ? err.retryAfter : undefined).catch((recordError: unknown) =>
            deps.logger.warn({ tenantId: p.tenantId, source: p.source, object: p.object, err: recordError }, 'could not record the sync failure'),
          );
        }
        throw err;
      }
      // A run that succeeded counts as an attempt even when it wrote no page (nothing to sync in
      // this org), and clears the failure of an earlier run (a committed page clears it too).
      if (index >= 0) await recordSyncAttempt(deps.db, p.tenantId, p.source, p.object, deps.clock.now());
      const next = connector.objects[index + 1];
      if (next !== undefined && FIRST_SYNC.test(p.cause)) await deps.enqueue('crm-sync', 'sync-object', { ...p, object: next });
      return result;
    },
    'process-webhook-batch': async (payload, deps, ctx) => {
      const p = payload as ProcessWebhookBatch;
      return (await connectorFor(p.source, p.tenantId, deps)).processEvents(p, deps, ctx);
    },
  };
}

export function crmTaskWriters(connectors: readonly CrmConnector[]): Partial<Record<string, CrmTaskWriter>> {
  return Object.fromEntries(connectors.map((c) => [c.source, c.taskWriter]));
}
