import type { CurrencyCode } from '../money/currency.js';
import type { IsoDate } from '../time/iso-date.js';
import type { TeamId, UserId } from './ids.js';

export interface User {
  readonly id: UserId;
  readonly name: string;
  readonly email: string | undefined;
  readonly active: boolean;
  /** First day of employment; ramps count tenure months from here. */
  readonly startDate: IsoDate | undefined;
  /** Last day of employment (inclusive), if they left. */
  readonly endDate: IsoDate | undefined;
  /** The currency the person is paid in. */
  readonly payCurrency: CurrencyCode;
}

/** "userId reports to managerId from `from` until (not including) `to`". Effective-dated. */
export interface ManagerLink {
  readonly userId: UserId;
  readonly managerId: UserId | null;
  readonly from: IsoDate;
  readonly to: IsoDate | undefined;
}

export interface TeamMembership {
  readonly userId: UserId;
  readonly from: IsoDate;
  readonly to: IsoDate | undefined;
}

export interface Team {
  readonly id: TeamId;
  readonly name: string;
  readonly managerId: UserId | undefined;
  readonly members: readonly TeamMembership[];
}
