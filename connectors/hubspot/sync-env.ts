import type { Logger } from 'pino';
import type { Db } from '../../worker/src/db/database.js';
import type { Enqueue } from '../../worker/src/queues/handler-registry.js';
import type { DealSplitsAvailability } from './deal-splits.js';
import type { PortalGateway } from './portal-gateway.js';

/** What one object stream needs for one job: the tenant's gateway and the sink. */
export interface SyncEnv {
  readonly tenantId: string;
  readonly homeCurrency: string;
  readonly gateway: PortalGateway;
  readonly db: Db;
  readonly enqueue: Enqueue;
  readonly logger: Logger;
  readonly now: () => number;
  readonly signal: AbortSignal;
  /** The job's cause, passed on to the recomputes a page triggers. */
  readonly cause: string;
  /** Which portals refused deal splits lately (shared by the jobs of this process). */
  readonly dealSplits: DealSplitsAvailability;
}

export interface StreamResult {
  pages: number;
  records: number;
  /** Records that could not be mapped (each logged with the fix). */
  skipped: number;
}

/** Logs records a page could not map, one line each, naming the record and the fix. */
export function reportProblems(env: SyncEnv, object: string, problems: readonly string[]): void {
  for (const problem of problems.slice(0, 50)) env.logger.warn({ tenantId: env.tenantId, object }, problem);
  if (problems.length > 50) env.logger.warn({ tenantId: env.tenantId, object, more: problems.length - 50 }, 'more records could not be mapped');
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('worker shutting down: the sync resumes from its last committed page');
}
