import type { Logger } from 'pino';
import type { CrmConnector } from '../core/crm-connector.js';
import type { Db } from '../../worker/src/db/database.js';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
import type { JobContext, JobDeps } from '../../worker/src/queues/handler-registry.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import type { HubspotConfig } from './config.js';
import { DealSplitsAvailability } from './deal-splits.js';
import { TokenManager } from './oauth-tokens.js';
import { emptyStats, PortalGateway, type GatewayStats } from './portal-gateway.js';
import { processWebhookEvents } from './process-events.js';
import { PortalLimiters } from './rate-limiter.js';
import { syncDeals } from './stream-deals.js';
import { syncEngagements } from './stream-engagements.js';
import { syncGoals, syncOwners, syncPipelines } from './stream-snapshots.js';
import { HUBSPOT_OBJECTS, isHubspotObject } from './streams.js';
import type { StreamResult, SyncEnv } from './sync-env.js';
import { hubspotTaskWriter } from './task-writer.js';

export { hubspotConfigFromEnv, HubspotConfigError, type HubspotConfig } from './config.js';
export { createHubspotRoutes } from './http-routes.js';
export { HUBSPOT_OBJECTS } from './streams.js';

export interface HubspotConnectorDeps {
  /** For the token store (the jobs bring their own handle to the same database). */
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface HubspotConnector extends CrmConnector {
  /** Request, 429 and refresh counters of this process (benches and dashboards). */
  readonly stats: GatewayStats;
  readonly tokens: TokenManager;
}

export function createHubspotConnector(config: HubspotConfig, deps: HubspotConnectorDeps): HubspotConnector {
  const now = deps.now ?? Date.now;
  const tokens = new TokenManager({ db: deps.db, cipher: deps.cipher, config, logger: deps.logger, now });
  const limiters = new PortalLimiters(config.rateLimits);
  const stats = emptyStats();
  const dealSplits = new DealSplitsAvailability();
  const gatewayFor = (tenantId: string, logger: Logger = deps.logger) => new PortalGateway(tenantId, config.apiBase, tokens, limiters.for(tenantId), logger, stats, now, config.rateLimitBackoffMs);

  const envFor = async (tenantId: string, jobDeps: JobDeps, ctx: JobContext, cause: string): Promise<SyncEnv> => {
    const tenant = await jobDeps.db.selectFrom('tenants').select(['home_currency']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    return { tenantId, homeCurrency: tenant.home_currency, gateway: gatewayFor(tenantId, jobDeps.logger), db: jobDeps.db, enqueue: jobDeps.enqueue, logger: jobDeps.logger, now, signal: ctx.signal, cause, dealSplits };
  };

  return {
    source: 'hubspot',
    objects: HUBSPOT_OBJECTS,
    stats,
    tokens,
    async syncObject(payload, jobDeps, ctx) {
      if (!isHubspotObject(payload.object)) throw new PermanentJobError('invalid_input', `HubSpot has no object stream "${payload.object}"; use one of ${HUBSPOT_OBJECTS.join(', ')}`);
      const env = await envFor(payload.tenantId, jobDeps, ctx, payload.cause);
      let result: StreamResult;
      switch (payload.object) {
        case 'owners':
          result = await syncOwners(env);
          break;
        case 'pipelines':
          result = await syncPipelines(env);
          break;
        case 'deals':
          result = await syncDeals(env, payload.mode);
          break;
        case 'goals':
          result = await syncGoals(env);
          break;
        default:
          result = await syncEngagements(payload.object, env, payload.mode);
      }
      jobDeps.logger.info({ tenantId: payload.tenantId, object: payload.object, ...result }, 'HubSpot stream synced');
      return { pages: result.pages, records: result.records };
    },
    async processEvents(payload, jobDeps, ctx) {
      const env = await envFor(payload.tenantId, jobDeps, ctx, `webhook-batch:${payload.batchId}`);
      return processWebhookEvents(env, payload.batchId, payload.eventIds);
    },
    taskWriter: hubspotTaskWriter(async (tenantId) => gatewayFor(tenantId)),
  };
}
