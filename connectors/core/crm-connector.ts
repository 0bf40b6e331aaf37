import type { ProcessWebhookBatch, SyncObject } from '../../worker/src/queues/families.js';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
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
 * The cause of the sync an install starts. That first sync runs the connector's streams
 * one after another, in `objects` order, so deals never arrive before their owners and
 * stages exist (later syncs run each stream on its own schedule).
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
      const result = await connector.syncObject(p, deps, ctx);
      const next = connector.objects[connector.objects.indexOf(p.object) + 1];
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
