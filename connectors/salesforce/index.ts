import type { Logger } from 'pino';
import { SyncPausedError, type CrmConnector } from '../core/crm-connector.js';
import type { Db } from '../../worker/src/db/database.js';
import type { SyncObject } from '../../worker/src/queues/families.js';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
import type { Clock, JobContext, JobDeps } from '../../worker/src/queues/handler-registry.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { syncActivities } from './activities-stream.js';
import { processChangeEvents } from './change-events.js';
import type { SalesforceConfig } from './config.js';
import { syncDeals } from './deals-stream.js';
import { classifySalesforceError, toJobError } from './errors.js';
import { isSalesforceObject, SALESFORCE_OBJECTS, type SalesforceObject } from './streams.js';
import { OrgMetadataCache, withFreshMetadataOnMissingAccess } from './org-cache.js';
import { syncFxRates, syncPipelines, syncQuotas, syncUsers } from './reference-streams.js';
import { ApiMeter, openSession } from './session.js';
import { streamRun, type StreamRun } from './stream-run.js';
import { createTaskWriter } from './task-writer.js';

export { parseSalesforceConfig, type SalesforceConfig } from './config.js';
export { createSalesforceRouter } from './router.js';
export { beginInstall, completeInstall, SALESFORCE_OBJECTS } from './install.js';
export { subscribeChangeEvents, CDC_CHANNELS } from './change-events.js';
export { ApiMeter } from './session.js';
export { SPLIT_PROBLEM_ACTION } from './split-report.js';

export interface SalesforceConnectorDeps {
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly logger?: Logger | undefined;
  /** Bulk API 2.0 job poll interval (ms). */
  readonly bulkPollMs?: number;
  /** Receives each run's API meter (calls made, org usage), for metrics and the benchmark. */
  readonly onApiUsage?: (tenantId: string, object: string, meter: ApiMeter) => void;
  /** The time the org metadata cache expires entries by (default: the system clock). */
  readonly clock?: Clock | undefined;
}

/** How long an object's sync rests after REQUEST_LIMIT_EXCEEDED (the allocation is a rolling 24 hours). */
const DAILY_LIMIT_PAUSE_MS = 60 * 60_000;

const STREAMS: Readonly<Record<SalesforceObject, (run: StreamRun) => Promise<{ pages: number; records: number }>>> = {
  users: syncUsers,
  pipelines: syncPipelines,
  'fx-rates': syncFxRates,
  quotas: syncQuotas,
  deals: syncDeals,
  activities: syncActivities,
};

export function createSalesforceConnector(cfg: SalesforceConfig, deps: SalesforceConnectorDeps): CrmConnector {
  // One cache per connector instance: tenants are keyed apart inside it, and nothing is shared between connectors.
  const orgCache = new OrgMetadataCache({ clock: deps.clock });
  // A query built from cached metadata that Salesforce refuses as missing (the admin changed Setup
  // since it was read) is retried once on freshly read metadata before the job fails: see org-cache.ts.
  const freshOnMissingAccess = <T>(tenantId: string, logger: Logger, what: string, work: (cache: OrgMetadataCache) => Promise<T>): Promise<T> =>
    withFreshMetadataOnMissingAccess(orgCache, tenantId, work, (err) =>
      logger.info({ tenantId, err: err instanceof Error ? err.message : String(err) }, `salesforce refused a field or object the cached org metadata listed while ${what}; reading the org again and retrying once`),
    );
  const taskWriter = createTaskWriter(cfg, deps, orgCache);
  return {
    source: 'salesforce',
    objects: SALESFORCE_OBJECTS,
    taskWriter,
    async syncObject(payload: SyncObject, jobDeps: JobDeps, ctx: JobContext) {
      if (!isSalesforceObject(payload.object)) throw new PermanentJobError('invalid_input', `Salesforce has no object stream "${payload.object}"; use one of ${SALESFORCE_OBJECTS.join(', ')}`);
      const stream = STREAMS[payload.object];
      const meter = new ApiMeter();
      try {
        const session = await openSession(cfg, { db: jobDeps.db, cipher: deps.cipher, logger: jobDeps.logger }, payload.tenantId, meter);
        return await freshOnMissingAccess(payload.tenantId, jobDeps.logger, `syncing ${payload.object}`, (cache) => stream(streamRun(session, cfg, payload, jobDeps, ctx, deps.bulkPollMs ?? 1_000, cache)));
      } catch (err) {
        const jobError = toJobError(err, `syncing ${payload.object} for tenant ${payload.tenantId}`);
        const kind = classifySalesforceError(err);
        jobDeps.logger.warn({ tenantId: payload.tenantId, object: payload.object, failure: kind, apiCalls: meter.calls }, jobError.message);
        // The worker's sync handler records the failure and holds later runs until the pause ends
        // (crm-connector.ts); the pause travels on the error, measured on the job's clock, which
        // the handler's check reads too.
        if (kind === 'daily-limit' && jobError instanceof PermanentJobError) throw new SyncPausedError(jobError.code, jobError.message, new Date(jobDeps.clock.now().getTime() + DAILY_LIMIT_PAUSE_MS), { cause: err });
        throw jobError;
      } finally {
        deps.onApiUsage?.(payload.tenantId, payload.object, meter);
      }
    },
    processEvents(payload, jobDeps, ctx) {
      return freshOnMissingAccess(payload.tenantId, jobDeps.logger, `applying Change Data Capture batch ${payload.batchId}`, (cache) => processChangeEvents(cfg, deps.cipher, cache, payload, jobDeps, ctx)).catch((err: unknown) => {
        throw toJobError(err, `applying Change Data Capture batch ${payload.batchId}`);
      });
    },
  };
}
