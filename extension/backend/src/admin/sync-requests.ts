import { isSyncSource, SYNC_OBJECTS, type SyncSource } from '../../../../connectors/streams.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { syncPausedUntil } from '../../../../worker/src/db/sync-cursors.js';
import { QueueUnavailableError, RunnerClosedError } from '../../../../worker/src/queues/errors.js';
import type { JobRunner } from '../../../../worker/src/runtime/job-runner.js';
import { ApiFailure } from '../http/api-failure.js';

const LABEL: Record<SyncSource, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/**
 * What "Sync now" answered: queued, or collapsed into a sync of the same object that is
 * already waiting or running (the queue's deduplication, worker/src/queues/families.ts;
 * a request that arrives while that sync runs is kept and runs once after it).
 */
export type SyncRequestResult = { readonly queued: true; readonly jobId: string } | { readonly queued: false; readonly reason: 'already queued'; readonly jobId: string };

export interface SyncRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly source: string;
  readonly object: string;
  readonly now: Date;
}

/**
 * An admin's request to sync one CRM object of their tenant now, as an incremental sync
 * from its stored cursor. Refused when the source or object is unknown (404), the tenant
 * has not connected that CRM (422), the object is paused by the CRM's limit (409), or
 * this server has no job runner (503). The request is recorded in audit_log
 * ('sync.requested', target source/object) whether it queued a job or joined one.
 */
export async function requestSync(db: Db, jobs: Pick<JobRunner, 'enqueue'> | undefined, request: SyncRequest): Promise<SyncRequestResult> {
  const { tenantId, userId, source, object, now } = request;
  if (!isSyncSource(source)) throw new ApiFailure('not_found', `there is no CRM "${source}"`, 'use hubspot or salesforce');
  const objects: readonly string[] = SYNC_OBJECTS[source];
  if (!objects.includes(object)) throw new ApiFailure('not_found', `${LABEL[source]} has no object "${object}" to sync`, `use one of ${objects.join(', ')}`);
  const connection = await db.selectFrom('crm_connections').select('status').where('tenant_id', '=', tenantId).where('source', '=', source).executeTakeFirst();
  if (!connection || connection.status === 'revoked') {
    throw new ApiFailure('invalid_input', `${LABEL[source]} is not connected to this account`, `connect ${LABEL[source]} on this page first`);
  }
  const pausedUntil = await syncPausedUntil(db, tenantId, source, object, now);
  if (pausedUntil) throw new ApiFailure('conflict', `${object} is paused until ${pausedUntil.toISOString()} (the CRM's daily limit)`, 'wait until then: the sync resumes by itself');
  if (!jobs) throw new ApiFailure('not_ready', 'this server has no job runner attached, so it cannot queue a sync', 'start the worker (npm run worker) and set REDIS_URL for this server, or run npm start');
  let enqueued: Awaited<ReturnType<JobRunner['enqueue']>>;
  try {
    enqueued = await jobs.enqueue('crm-sync', 'sync-object', { tenantId, source, object, mode: 'incremental', cause: `manual:${userId}@${now.toISOString()}` });
  } catch (err) {
    if (err instanceof QueueUnavailableError || err instanceof RunnerClosedError) throw new ApiFailure('not_ready', `the job queue is unavailable: ${err.message}`, 'check that Redis and the worker are running (Queue health), then try again');
    throw err;
  }
  const result: SyncRequestResult = enqueued.deduplicatedInto ? { queued: false, reason: 'already queued', jobId: enqueued.deduplicatedInto } : { queued: true, jobId: enqueued.jobId };
  await db
    .insertInto('audit_log')
    .values({ tenant_id: tenantId, actor: userId, action: 'sync.requested', target: `${source}/${object}`, details: JSON.stringify({ mode: 'incremental', queued: result.queued, jobId: result.jobId }) })
    .execute();
  return result;
}
