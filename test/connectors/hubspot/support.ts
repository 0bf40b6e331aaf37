import { randomBytes } from 'node:crypto';
import { recordInstall } from '../../../connectors/core/tenant-connections.js';
import { hubspotConfigFromEnv, type HubspotConfig } from '../../../connectors/hubspot/config.js';
import type { Db } from '../../../worker/src/db/database.js';
import { createLogger } from '../../../worker/src/observability/logger.js';
import { createWorkerMetrics } from '../../../worker/src/observability/metrics.js';
import type { Family } from '../../../worker/src/queues/families.js';
import type { Enqueue, JobContext, JobDeps } from '../../../worker/src/queues/handler-registry.js';
import { TokenCipher } from '../../../worker/src/secrets/token-cipher.js';

export const silent = () => createLogger({ level: 'silent' });

export const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') });

export function testConfig(apiBase: string, overrides: Partial<HubspotConfig> = {}): HubspotConfig {
  return hubspotConfigFromEnv(
    {
      HUBSPOT_CLIENT_ID: 'client-id-1',
      HUBSPOT_CLIENT_SECRET: 'client-secret-1',
      HUBSPOT_APP_ID: '777',
      HUBSPOT_REDIRECT_URI: 'https://spm.example/hubspot/oauth/callback',
      HUBSPOT_API_BASE: apiBase,
    },
    overrides,
  );
}

export interface Enqueued {
  readonly family: Family;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

/** An enqueue that records what was asked, for handlers called directly. */
export function recordingEnqueue(): { enqueue: Enqueue; jobs: Enqueued[] } {
  const jobs: Enqueued[] = [];
  const enqueue = (async (family: Family, name: string, payload: Record<string, unknown>) => {
    jobs.push({ family, name, payload });
    return { jobId: `${family}/${name}/${jobs.length}` };
  }) as unknown as Enqueue;
  return { enqueue, jobs };
}

export function jobDeps(db: Db, enqueue: Enqueue): JobDeps {
  return { db, enqueue, logger: silent(), clock: { now: () => new Date() }, metrics: createWorkerMetrics({ defaultMetrics: false }) };
}

export function jobContext(): JobContext {
  return { family: 'crm-sync', name: 'sync-object', jobId: 'test', attempt: 1, maxAttempts: 1, signal: new AbortController().signal };
}

/** An installed portal whose access token is valid for the next 30 minutes. */
export async function installPortal(db: Db, portalId: string, opts: { accessToken?: string; expiresAt?: Date; homeCurrency?: string } = {}): Promise<string> {
  return recordInstall(db, cipher, {
    source: 'hubspot',
    externalId: portalId,
    name: `portal-${portalId}.example`,
    homeCurrency: opts.homeCurrency ?? 'USD',
    tokens: { accessToken: opts.accessToken ?? 'access-1', refreshToken: 'refresh-1', expiresAt: opts.expiresAt ?? new Date(Date.now() + 30 * 60_000), scopes: ['oauth'] },
  });
}
