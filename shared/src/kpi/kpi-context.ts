import type { CurrencyCode } from '../money/currency.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Period } from '../time/period.js';
import type { ShareOf } from './credit-share.js';
import type { ProblemLog } from './problems.js';
import type { SubjectScope } from './subject.js';

/** What every KPI of one subject and period reads. */
export interface KpiContext {
  readonly index: TenantIndex;
  readonly period: Period;
  readonly asOf: IsoDate;
  readonly scope: SubjectScope;
  readonly shareOf: ShareOf;
  /** The tenant's home currency: every amount in a KPI report is in it. */
  readonly currency: CurrencyCode;
  readonly problems: ProblemLog;
}
