import type { Activity, ActivityStatus, ActivityType } from '../../shared/src/domain/activities.js';
import type { ActivityId, DealId, UserId } from '../../shared/src/domain/ids.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { isoInstant, modifiedAtMs, parseInstant, utcDate, type HsObject, type Mapped } from './hubspot-values.js';

/** The engagement object streams and what each becomes in the canonical model. */
export const ENGAGEMENTS = {
  calls: { type: 'call', statusProperty: 'hs_call_status' },
  emails: { type: 'email', statusProperty: undefined },
  meetings: { type: 'meeting', statusProperty: 'hs_meeting_outcome' },
  tasks: { type: 'task', statusProperty: 'hs_task_status' },
} as const satisfies Record<string, { type: ActivityType; statusProperty: string | undefined }>;
export type EngagementObject = keyof typeof ENGAGEMENTS;

export function engagementProperties(object: EngagementObject): string[] {
  const status = ENGAGEMENTS[object].statusProperty;
  return ['hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate', 'hs_object_id', ...(status ? [status] : [])];
}

// Status values seen across HubSpot's engagement properties; anything else counts as done
// (an email that exists was sent; a call that was logged happened).
function statusOf(object: EngagementObject, value: string | null | undefined): ActivityStatus {
  const v = (value ?? '').trim().toUpperCase();
  if (object === 'tasks') return v === 'COMPLETED' ? 'completed' : 'scheduled';
  if (['CANCELED', 'CANCELLED', 'NO_SHOW'].includes(v)) return 'canceled';
  if (['SCHEDULED', 'RESCHEDULED', 'QUEUED', 'IN_PROGRESS', 'RINGING', 'CONNECTING', 'CALLING_CRM_USER'].includes(v)) return 'scheduled';
  return 'completed';
}

/** An engagement as a canonical activity, credited to its owner and linked to one deal (the lowest associated id, so re-reads agree). */
export function mapActivity(object: EngagementObject, o: HsObject, dealIds: readonly string[]): Mapped<Versioned<Activity>> {
  const where = `HubSpot ${object.slice(0, -1)} ${o.id}`;
  const modifiedMs = modifiedAtMs(o);
  if (modifiedMs === undefined) return { ok: false, problem: `${where} has no hs_lastmodifieddate` };
  const ownerId = o.properties['hubspot_owner_id']?.trim();
  if (!ownerId) return { ok: false, problem: `${where} has no owner; assign it to a user in HubSpot so it counts for someone` };
  const at = parseInstant(o.properties['hs_timestamp'] ?? undefined) ?? parseInstant(o.createdAt);
  if (at === undefined) return { ok: false, problem: `${where} has no hs_timestamp` };
  const statusProperty = ENGAGEMENTS[object].statusProperty;
  const dealId = [...dealIds].sort(compareIds)[0];
  const activity: Activity = {
    id: `${object}-${o.id}` as ActivityId,
    type: ENGAGEMENTS[object].type,
    status: statusOf(object, statusProperty ? o.properties[statusProperty] : undefined),
    userId: ownerId as UserId,
    dealId: dealId as DealId | undefined,
    occurredAt: utcDate(at),
  };
  return { ok: true, value: { record: activity, modifiedAt: isoInstant(modifiedMs) } };
}

export function activityTombstone(object: EngagementObject, o: HsObject): Versioned<Activity> {
  const at = parseInstant(o.archivedAt) ?? modifiedAtMs(o) ?? 0;
  const mapped = mapActivity(object, o, []);
  const record: Activity = mapped.ok
    ? mapped.value.record
    : { id: `${object}-${o.id}` as ActivityId, type: ENGAGEMENTS[object].type, status: 'canceled', userId: '' as UserId, dealId: undefined, occurredAt: utcDate(at) };
  return { record, modifiedAt: isoInstant(Math.max(at, mapped.ok ? Date.parse(mapped.value.modifiedAt) : 0)), deleted: true };
}

/** HubSpot ids are numeric strings: compare as numbers so "9" sorts before "10". */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
