import type { Activity, ActivityStatus, ActivityType } from '../../shared/src/domain/activities.js';
import type { ActivityId, DealId, UserId } from '../../shared/src/domain/ids.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { isoInstant, modifiedAtMs, parseInstant, utcDate, type HsObject, type Mapped } from './hubspot-values.js';

/** The engagement object streams and what each becomes in the canonical model. */
export const ENGAGEMENTS = {
  calls: { type: 'call', statusProperty: 'hs_call_status' },
  emails: { type: 'email', statusProperty: 'hs_email_status' },
  meetings: { type: 'meeting', statusProperty: 'hs_meeting_outcome' },
  tasks: { type: 'task', statusProperty: 'hs_task_status' },
} as const satisfies Record<string, { type: ActivityType; statusProperty: string }>;
export type EngagementObject = keyof typeof ENGAGEMENTS;

export function engagementProperties(object: EngagementObject): string[] {
  return ['hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate', 'hs_object_id', ENGAGEMENTS[object].statusProperty];
}

/**
 * Each engagement's own status values (HubSpot's property options) that mean "not done
 * yet" or "did not happen". Anything else, or no value, counts as done: an email that
 * exists was sent, a logged call happened (busy and no-answer are still calls made).
 * Tasks are the exception: only COMPLETED is done, and DEFERRED (HubSpot has no
 * "canceled" task) is the task that was dropped, as Salesforce's Deferred is.
 */
const STATUS_VALUES: Readonly<Record<EngagementObject, { scheduled: readonly string[]; canceled: readonly string[] }>> = {
  calls: { scheduled: ['QUEUED', 'RINGING', 'CONNECTING', 'IN_PROGRESS', 'CALLING_CRM_USER'], canceled: ['CANCELED', 'CANCELLED', 'FAILED'] },
  emails: { scheduled: ['SCHEDULED', 'SENDING'], canceled: ['FAILED'] },
  meetings: { scheduled: ['SCHEDULED', 'RESCHEDULED'], canceled: ['CANCELED', 'CANCELLED', 'NO_SHOW'] },
  tasks: { scheduled: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING'], canceled: ['DEFERRED'] },
};

function statusOf(object: EngagementObject, value: string | null | undefined): ActivityStatus {
  const v = (value ?? '').trim().toUpperCase();
  const values = STATUS_VALUES[object];
  if (values.canceled.includes(v)) return 'canceled';
  if (values.scheduled.includes(v)) return 'scheduled';
  if (object === 'tasks' && v !== 'COMPLETED') return 'scheduled';
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
    status: statusOf(object, o.properties[statusProperty]),
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
