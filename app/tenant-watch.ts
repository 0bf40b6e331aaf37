import type { Logger } from 'pino';
import type { CrmConnector } from '../connectors/core/crm-connector.js';
import { subscribeChangeEvents, type SalesforceConfig } from '../connectors/salesforce/index.js';
import type { Db } from '../worker/src/db/database.js';
import type { JobRunner } from '../worker/src/runtime/job-runner.js';
import type { TokenCipher } from '../worker/src/secrets/token-cipher.js';

type ChangeEventSubscription = Awaited<ReturnType<typeof subscribeChangeEvents>>;

export interface TenantWatchOptions {
  readonly db: Db;
  readonly runner: JobRunner;
  readonly connectors: readonly CrmConnector[];
  readonly salesforce: SalesforceConfig | undefined;
  readonly cipher: TokenCipher;
  readonly logger: Logger;
  /** How often newly installed or disconnected tenants are noticed. */
  readonly everyMs: number;
  /** CDC events are collected this long before they become one job. */
  readonly cdcBatchMs?: number;
}

export interface TenantWatch {
  /** Applies schedules and subscriptions for the tenants as they are now (also run on a timer). */
  refresh(): Promise<void>;
  /** Schedulers applied by this watch: BullMQ keeps one delayed job per scheduler, which is not work waiting to be done. */
  schedulerCount(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Keeps the worker's per-tenant machinery in step with the tenants table: the periodic
 * syncs and the nightly reconcile of every active tenant, and a Change Data Capture
 * subscription per active Salesforce org (CDC is pulled over CometD, so some process
 * must hold the connection; several workers holding one is harmless because received
 * events are deduplicated by id before they are queued).
 */
export function watchTenants(options: TenantWatchOptions): TenantWatch {
  const { db, runner, logger } = options;
  const scheduled = new Set<string>();
  const subscriptions = new Map<string, ChangeEventSubscription>();
  const sources = new Map(options.connectors.map((c) => [c.source, c]));
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const once = async (): Promise<void> => {
    const tenants = await db.selectFrom('tenants').select(['id', 'source', 'status']).execute();
    for (const t of tenants) {
      const connector = sources.get(t.source as 'hubspot' | 'salesforce');
      if (!connector) continue;
      if (t.status !== 'active') {
        if (scheduled.delete(t.id)) await runner.removeTenantSchedules(t.id);
        const sub = subscriptions.get(t.id);
        if (sub) {
          subscriptions.delete(t.id);
          await sub.stop();
        }
        continue;
      }
      if (!scheduled.has(t.id)) {
        await runner.upsertTenantSchedules({ tenantId: t.id, source: connector.source, objects: [...connector.objects] });
        scheduled.add(t.id);
      }
      if (t.source === 'salesforce' && options.salesforce && !subscriptions.has(t.id) && !stopped) {
        try {
          const sub = await subscribeChangeEvents(options.salesforce, { db, cipher: options.cipher, enqueue: runner.enqueue, logger }, t.id, {
            ...(options.cdcBatchMs !== undefined ? { batchMs: options.cdcBatchMs } : {}),
            onError: (err) => logger.warn({ tenantId: t.id, err: err.message }, 'Salesforce change events: a batch could not be stored; the periodic sync will pick the changes up'),
          });
          subscriptions.set(t.id, sub);
          await sub.ready;
          logger.info({ tenantId: t.id }, 'subscribed to Salesforce change events');
        } catch (err) {
          logger.warn({ tenantId: t.id, err: (err as Error).message }, 'could not subscribe to Salesforce change events; retrying on the next check');
        }
      }
    }
  };
  const refresh = (): Promise<void> => {
    running = running.then(once, once).catch((err: unknown) => logger.error({ err }, 'tenant watch failed; retrying on the next check'));
    return running;
  };
  const timer = setInterval(() => void refresh(), options.everyMs);
  timer.unref();
  return {
    refresh,
    schedulerCount: async () => {
      let count = 0;
      for (const tenantId of scheduled) count += (await runner.tenantSchedules(tenantId)).length;
      return count;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      for (const sub of subscriptions.values()) await sub.stop().catch(() => undefined);
      subscriptions.clear();
    },
  };
}
