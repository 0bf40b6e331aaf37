import type { CurrencyCode } from '../money/currency.js';
import type { FiscalCalendar } from '../time/period.js';
import type { Activity } from './activities.js';
import type { Deal, Pipeline } from './deals.js';
import type { FxRate } from './fx.js';
import type { TenantId } from './ids.js';
import type { ManagerLink, Team, User } from './people.js';
import type { Quota } from './quotas.js';

/** Everything the engine knows about one tenant (a HubSpot portal or Salesforce org). */
export interface Dataset {
  readonly tenant: { readonly id: TenantId; readonly name: string; readonly currency: CurrencyCode };
  readonly calendar: FiscalCalendar;
  readonly users: readonly User[];
  readonly managers: readonly ManagerLink[];
  readonly teams: readonly Team[];
  readonly pipelines: readonly Pipeline[];
  readonly deals: readonly Deal[];
  readonly activities: readonly Activity[];
  readonly quotas: readonly Quota[];
  readonly fxRates: readonly FxRate[];
}
