import { z } from 'zod';
import { identify, type Family } from './families.js';
import { digest, idSegment } from './job-ids.js';

/**
 * Per-tenant job schedulers (BullMQ `upsertJobScheduler`): a periodic incremental sync
 * per CRM object, and a nightly reconcile. Upserting is idempotent, so every worker
 * process may apply the schedules of every tenant at start. Scheduled jobs get ids chosen
 * by BullMQ and no deduplication (BullMQ does not allow it on scheduler templates); the
 * sync handlers serialise runs of one stream with their own lock (anchors 12.4).
 */

export const TenantScheduleSpec = z.strictObject({
  tenantId: z.string().min(1),
  source: z.enum(['hubspot', 'salesforce']),
  /** Objects synced incrementally on a timer. */
  objects: z.array(z.string()).min(1),
  syncEveryMs: z.number().int().min(60_000).default(15 * 60_000),
  /** Cron pattern and IANA time zone of the nightly reconcile. */
  reconcile: z.strictObject({ pattern: z.string().min(9), tz: z.string().min(1) }).default({ pattern: '30 2 * * *', tz: 'UTC' }),
});
export type TenantScheduleInput = z.input<typeof TenantScheduleSpec>;
export type TenantSchedule = z.output<typeof TenantScheduleSpec>;

export type Repeat = { readonly every: number } | { readonly pattern: string; readonly tz: string };

export interface SchedulerEntry {
  /** Scheduler id (no ':'); the tenant is read back from the template's payload. */
  readonly id: string;
  readonly family: Family;
  readonly name: string;
  readonly repeat: Repeat;
  /** Validated payload of every job the scheduler produces. */
  readonly payload: Record<string, unknown>;
}

/** The schedulers a tenant should have. Payloads are validated here, before anything is written. */
export function tenantSchedulerEntries(input: TenantScheduleInput): SchedulerEntry[] {
  const spec = TenantScheduleSpec.parse(input);
  const t = idSegment(spec.tenantId);
  const entries: SchedulerEntry[] = spec.objects.map((object) => ({
    id: `schedule-sync-${t}-${digest(spec.tenantId, spec.source, object).slice(0, 16)}`,
    family: 'crm-sync',
    name: 'sync-object',
    repeat: { every: spec.syncEveryMs },
    payload: identify('crm-sync', 'sync-object', { tenantId: spec.tenantId, source: spec.source, object, mode: 'incremental', cause: 'schedule' }).payload,
  }));
  entries.push({
    id: `schedule-reconcile-${t}-${digest(spec.tenantId).slice(0, 16)}`,
    family: 'compute',
    name: 'reconcile-tenant',
    repeat: { pattern: spec.reconcile.pattern, tz: spec.reconcile.tz },
    payload: identify('compute', 'reconcile-tenant', { tenantId: spec.tenantId, cause: 'schedule' }).payload,
  });
  return entries;
}

export interface ScheduleChange {
  readonly upserted: number;
  readonly removed: number;
}
