import { randomBytes } from 'node:crypto';
import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';
import { createSalesforceConnector, parseSalesforceConfig, type SalesforceConfig } from '../../../connectors/salesforce/index.js';
import { beginInstall, completeInstall, SALESFORCE_OBJECTS } from '../../../connectors/salesforce/install.js';
import { crmSyncHandlers, type CrmConnector } from '../../../connectors/core/crm-connector.js';
import type { ApiMeter } from '../../../connectors/salesforce/session.js';
import type { Db } from '../../../worker/src/db/database.js';
import { createLogger } from '../../../worker/src/observability/logger.js';
import { createWorkerMetrics } from '../../../worker/src/observability/metrics.js';
import type { Clock, Enqueue, JobContext, JobDeps } from '../../../worker/src/queues/handler-registry.js';
import { TokenCipher } from '../../../worker/src/secrets/token-cipher.js';
import { seedOrgFromDataset, type SeededOrg } from '../../../sandboxes/salesforce/seed.js';
import { startSalesforceSandbox } from '../../../sandboxes/salesforce/server.js';

export interface EnqueuedJob {
  readonly family: string;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

export const CLIENT_ID = 'spm-test-client';
export const CLIENT_SECRET = 'spm-test-secret';
export const REDIRECT_URI = 'http://127.0.0.1:9/oauth/salesforce/callback';

export type Sandbox = Awaited<ReturnType<typeof startSalesforceSandbox>>;

export interface Harness {
  readonly sandbox: Sandbox;
  readonly seeded: SeededOrg;
  readonly config: SalesforceConfig;
  readonly cipher: TokenCipher;
  readonly connector: CrmConnector;
  readonly jobs: EnqueuedJob[];
  readonly deps: JobDeps;
  readonly meters: ApiMeter[];
  tenantId: string;
  /** Called for every job the connector enqueues (tests use it to act "between two pages"). */
  onEnqueue: ((job: EnqueuedJob) => void) | undefined;
  sync(object: string, mode?: 'incremental' | 'full'): Promise<{ pages: number; records: number }>;
  /**
   * Runs the object's sync as the worker does, through its crm-sync handler: the object waits
   * for the ones before it to be attempted once, and a failure the job gives up on is recorded.
   * Attempt 1 of 3 unless told; `deps` carries the job's clock.
   */
  job(object: string, options?: { mode?: 'incremental' | 'full'; attempt?: number; deps?: JobDeps }): Promise<{ pages: number; records: number }>;
  syncAll(mode?: 'incremental' | 'full'): Promise<void>;
  close(): Promise<void>;
}

export function jobContext(): JobContext {
  return { family: 'crm-sync', name: 'sync-object', jobId: 'test', attempt: 1, maxAttempts: 3, signal: new AbortController().signal };
}

export async function startHarness(db: Db, dataset: RawDataset, options: { tokenTtlSeconds?: number; rotateRefreshTokens?: boolean; dailyApiLimit?: number; bulkThreshold?: number; env?: Record<string, string>; clock?: Clock } = {}): Promise<Harness> {
  const seeded = seedOrgFromDataset(dataset);
  const sandbox = await startSalesforceSandbox({
    org: seeded.org,
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    cometdHoldMs: 2_000,
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    ...(options.dailyApiLimit !== undefined ? { dailyApiLimit: options.dailyApiLimit } : {}),
  });
  const config = parseSalesforceConfig({
    SALESFORCE_CLIENT_ID: CLIENT_ID,
    SALESFORCE_CLIENT_SECRET: CLIENT_SECRET,
    SALESFORCE_REDIRECT_URI: REDIRECT_URI,
    SALESFORCE_LOGIN_URL: sandbox.url,
    SALESFORCE_LOOKBACK_SECONDS: '0',
    ...(options.bulkThreshold !== undefined ? { SALESFORCE_BULK_THRESHOLD: String(options.bulkThreshold) } : {}),
    ...options.env,
  });
  const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  const jobs: EnqueuedJob[] = [];
  let n = 0;
  const enqueue: Enqueue = async (family, name, payload) => {
    const job = { family, name, payload: payload as Record<string, unknown> };
    jobs.push(job);
    harness.onEnqueue?.(job);
    return { jobId: `job-${++n}` };
  };
  const logger = createLogger({ level: 'silent' });
  const deps: JobDeps = { db, logger, clock: { now: () => new Date() }, metrics: createWorkerMetrics({ defaultMetrics: false }), enqueue };
  const meters: ApiMeter[] = [];
  const connector = createSalesforceConnector(config, { db, cipher, logger, bulkPollMs: 20, onApiUsage: (_t, _o, m) => meters.push(m), clock: options.clock });
  const handlers = crmSyncHandlers([connector]);
  const harness: Harness = {
    sandbox,
    seeded,
    config,
    cipher,
    connector,
    jobs,
    deps,
    meters,
    tenantId: '',
    onEnqueue: undefined,
    sync: (object, mode = 'incremental') => connector.syncObject({ tenantId: harness.tenantId, source: 'salesforce', object, mode, cause: `test:${Date.now()}` }, deps, jobContext()),
    job: (object, { mode = 'incremental', attempt = 1, deps: jobDeps = deps } = {}) =>
      handlers['sync-object']!({ tenantId: harness.tenantId, source: 'salesforce', object, mode, cause: `test:${Date.now()}` }, jobDeps, { ...jobContext(), attempt }) as Promise<{ pages: number; records: number }>,
    async syncAll(mode = 'incremental') {
      for (const object of SALESFORCE_OBJECTS) await harness.sync(object, mode);
    },
    close: () => sandbox.close(),
  };
  return harness;
}

/** The admin's browser: follow the authorize redirect (the sandbox consents as its integration user) back to our callback. */
export async function install(h: Harness, loginUrl?: string): Promise<string> {
  const authorizeUrl = await beginInstall(h.config, { db: h.deps.db, cipher: h.cipher }, { loginUrl, returnTo: '/admin' });
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect: ${await res.text()}`);
  const callback = new URL(location);
  const { tenantId } = await completeInstall(h.config, { db: h.deps.db, cipher: h.cipher, enqueue: h.deps.enqueue }, { code: callback.searchParams.get('code') ?? undefined, state: callback.searchParams.get('state') ?? undefined });
  h.tenantId = tenantId;
  return tenantId;
}
