import { writeSyncPage, type CanonicalPage, type PageOutcome } from '../core/sync-sink.js';
import { readCursor } from '../../worker/src/db/sync-cursors.js';
import type { SyncObject } from '../../worker/src/queues/families.js';
import type { JobContext, JobDeps } from '../../worker/src/queues/handler-registry.js';
import type { SalesforceConfig } from './config.js';
import type { OrgMetadataCache } from './org-cache.js';
import type { SalesforceSession } from './session.js';

/** Everything one run of one object stream works with. */
export interface StreamRun {
  readonly session: SalesforceSession;
  readonly config: SalesforceConfig;
  readonly deps: JobDeps;
  readonly ctx: JobContext | undefined;
  readonly tenantId: string;
  readonly object: string;
  readonly full: boolean;
  readonly cause: string;
  /** Bulk API 2.0 job status poll interval. */
  readonly bulkPollMs: number;
  /** The connector's cache of org metadata (describes, stages, split types). */
  readonly orgCache: OrgMetadataCache;
}

export function streamRun(session: SalesforceSession, config: SalesforceConfig, payload: SyncObject, deps: JobDeps, ctx: JobContext | undefined, bulkPollMs: number, orgCache: OrgMetadataCache): StreamRun {
  return { session, config, deps, ctx, tenantId: payload.tenantId, object: payload.object, full: payload.mode === 'full', cause: payload.cause, bulkPollMs, orgCache };
}

export async function loadStreamCursor<C extends object>(run: StreamRun, object = run.object): Promise<C> {
  const stored = await readCursor(run.deps.db, run.tenantId, 'salesforce', object);
  return (stored?.cursor ?? {}) as C;
}

/** Writes the page and its cursor in one transaction, then requests the recomputes (connectors/core). */
export async function commit(run: StreamRun, cursor: object, page: CanonicalPage, incremental: boolean, object = run.object): Promise<PageOutcome> {
  if (run.ctx?.signal.aborted) throw new Error('worker shutting down: the sync resumes from its last committed page when the job runs again');
  return writeSyncPage({ db: run.deps.db, enqueue: run.deps.enqueue }, { tenantId: run.tenantId, source: 'salesforce', object }, { phase: incremental ? 'incremental' : 'initial', cursor }, page, `${run.cause}:${object}`);
}
