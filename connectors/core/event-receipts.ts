import type { Db } from '../../worker/src/db/database.js';
import type { CrmSource } from './tenant-connections.js';

export interface ReceivedEvent {
  /** The CRM's own event id (HubSpot eventId, Salesforce CDC replay id + transaction key). */
  readonly id: string;
  readonly payload: unknown;
}

/**
 * Stores events by their CRM id and returns the ids seen for the first time. CRMs
 * deliver at least once (HubSpot retries a batch up to 10 times); a duplicate is
 * acknowledged and dropped here rather than synced twice.
 */
export async function recordNewEvents(db: Db, tenantId: string, source: CrmSource, events: readonly ReceivedEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const unique = new Map(events.map((e) => [e.id, e]));
  const inserted = await db
    .insertInto('event_receipts')
    .values([...unique.values()].map((e) => ({ tenant_id: tenantId, source, event_id: e.id, payload: JSON.stringify(e.payload) })))
    .onConflict((oc) => oc.columns(['tenant_id', 'source', 'event_id']).doNothing())
    .returning('event_id')
    .execute();
  return inserted.map((r) => r.event_id);
}

export async function loadEvents(db: Db, tenantId: string, source: CrmSource, ids: readonly string[]): Promise<Array<{ id: string; payload: unknown }>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('event_receipts').select(['event_id', 'payload']).where('tenant_id', '=', tenantId).where('source', '=', source).where('event_id', 'in', ids).orderBy('event_id').execute();
  return rows.map((r) => ({ id: r.event_id, payload: r.payload }));
}
