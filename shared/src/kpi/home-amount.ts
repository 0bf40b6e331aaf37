import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Deal } from '../domain/deals.js';
import type { FxUse } from '../engine/statement.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import { minDate, type IsoDate } from '../time/iso-date.js';
import type { ProblemLog } from './problems.js';

/** A whole deal's amount in the tenant's home currency, with the rate used (none when already in it). */
export interface HomeAmount {
  readonly amount: Decimal;
  readonly fx: FxUse | undefined;
}

/**
 * Converted at the close date, like commission credit. An open deal's close date may lie
 * ahead of `asOf`; a rate published after `asOf` was not known then, so the rate date is
 * capped at `asOf` and the answer does not change when later rates arrive.
 */
export function dealAmountInHome(index: TenantIndex, deal: Deal, home: CurrencyCode, asOf: IsoDate, problems: ProblemLog): HomeAmount | undefined {
  const rateDate = minDate(deal.closeDate, asOf);
  const fx = index.fx.lookup(deal.currency, home, rateDate);
  if (fx === 'same') return { amount: deal.amount, fx: undefined };
  if (fx === undefined) {
    problems.add({
      code: 'missing_fx_rate',
      recordId: deal.id,
      message: `No ${deal.currency}→${home} rate on or before ${rateDate} to value deal ${deal.id} (${deal.name}); it still counts in deal counts but not in amounts`,
      fix: `add an FX rate from ${deal.currency} to ${home} dated on or before ${rateDate}`,
    });
    return undefined;
  }
  return { amount: deal.amount.times(fx.rate), fx };
}
