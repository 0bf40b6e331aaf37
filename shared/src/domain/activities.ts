import type { IsoDate } from '../time/iso-date.js';
import type { ActivityId, DealId, UserId } from './ids.js';

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'task'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const ACTIVITY_STATUSES = ['completed', 'scheduled', 'canceled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export interface Activity {
  readonly id: ActivityId;
  readonly type: ActivityType;
  readonly status: ActivityStatus;
  readonly userId: UserId;
  readonly dealId: DealId | undefined;
  readonly occurredAt: IsoDate;
}
