import { ZERO, type Decimal } from '../money/decimal.js';
import type { Deal } from '../domain/deals.js';
import type { DealId } from '../domain/ids.js';
import { dealCredits, type DealCredit } from '../engine/credits.js';
import type { EngineException } from '../engine/statement.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import type { ProblemLog } from './problems.js';
import type { SubjectScope } from './subject.js';

/** The subject's revenue share (0..1) of a deal, judged on a date (team membership is effective-dated). */
export type ShareOf = (deal: Deal, on: IsoDate) => Decimal;

/**
 * KPIs measure what a person sold, so only revenue credit counts: overlay credit is paid on
 * top of a sale another person made, and rollups would count a team's deals twice.
 */
export function creditShares(index: TenantIndex, scope: SubjectScope, problems: ProblemLog): ShareOf {
  const cache = new Map<DealId, { readonly revenue: readonly DealCredit[] } | { readonly error: EngineException }>();
  return (deal, on) => {
    let known = cache.get(deal.id);
    if (known === undefined) {
      const credits = dealCredits(deal, index.hierarchy, 0);
      known = Array.isArray(credits) ? { revenue: credits.filter((c) => c.kind === 'revenue') } : { error: credits };
      cache.set(deal.id, known);
    }
    if ('error' in known) {
      // Only the people named on the deal need to hear that their share is unknown.
      const named = [deal.ownerId, ...deal.splits.map((s) => s.userId)].some((u) => scope.includes(u, on));
      if (named) problems.add({ code: 'revenue_splits_not_100', recordId: deal.id, message: `${known.error.message}; it is left out of the KPIs`, fix: known.error.fix });
      return ZERO;
    }
    let share = ZERO;
    for (const credit of known.revenue) if (scope.includes(credit.payeeId, on)) share = share.plus(credit.share);
    return share;
  };
}
