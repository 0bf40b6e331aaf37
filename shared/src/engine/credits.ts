import { HUNDRED, ONE, sum, type Decimal } from '../money/decimal.js';
import type { Activity } from '../domain/activities.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import type { CreditKind } from '../plan/plan.js';
import type { IsoDate } from '../time/iso-date.js';
import type { Hierarchy } from './hierarchy.js';
import type { EngineException } from './statement.js';

/**
 * Who is credited for a won deal, and with what share. Quota credit and payout credit
 * are both drawn from these records; which kinds count for which is a plan setting.
 */
export interface DealCredit {
  readonly payeeId: UserId;
  readonly kind: CreditKind;
  /** Share of the deal, 0..1 (overlay shares may add up to more than 1 across people). */
  readonly share: Decimal;
  /** For rollups: the report whose revenue credit passed up, and how many levels up. */
  readonly via: UserId | undefined;
  readonly level: number;
}

export function dealCredits(deal: Deal, hierarchy: Hierarchy, rollupLevels: number): DealCredit[] | EngineException {
  const direct = directCredits(deal);
  return 'code' in direct ? direct : withRollups(direct, deal.closeDate, hierarchy, rollupLevels);
}

/** The credits of the deal's owner or splits, without roll-ups: they do not depend on the date or the hierarchy. */
export function directCredits(deal: Deal): readonly DealCredit[] | EngineException {
  // Most deals have no splits: the owner has all the revenue credit.
  if (deal.splits.length === 0) return [{ payeeId: deal.ownerId, kind: 'revenue', share: ONE, via: undefined, level: 0 }];
  const revenueSplits = deal.splits.filter((s) => s.type === 'revenue');
  const direct: DealCredit[] = [];
  if (revenueSplits.length === 0) {
    direct.push({ payeeId: deal.ownerId, kind: 'revenue', share: ONE, via: undefined, level: 0 });
  } else {
    const total = sum(revenueSplits.map((s) => s.percent));
    if (!total.equals(HUNDRED)) {
      return {
        code: 'revenue_splits_not_100',
        recordId: deal.id,
        message: `Deal ${deal.id} (${deal.name}) has revenue splits totalling ${total.toString()} %; nobody is paid on it until they total 100 %`,
        fix: 'correct the revenue split percentages in the CRM so they add up to exactly 100',
      };
    }
    for (const s of revenueSplits) direct.push({ payeeId: s.userId, kind: 'revenue', share: s.percent.dividedBy(HUNDRED), via: undefined, level: 0 });
  }
  for (const s of deal.splits) {
    if (s.type === 'overlay') direct.push({ payeeId: s.userId, kind: 'overlay', share: s.percent.dividedBy(HUNDRED), via: undefined, level: 0 });
  }
  return direct;
}

/** The direct credits (kept as they are) and each revenue credit passed up the hierarchy as it stood on `date`. */
export function withRollups(direct: readonly DealCredit[], date: IsoDate, hierarchy: Hierarchy, rollupLevels: number): DealCredit[] {
  const credits = [...direct];
  if (rollupLevels > 0) {
    for (const c of direct) if (c.kind === 'revenue') addRollups(credits, c, date, hierarchy, rollupLevels);
  }
  return credits;
}

/** Revenue credit passed up the hierarchy as it stood on the day the record closed (effective-dated). */
function addRollups(credits: DealCredit[], from: DealCredit, date: IsoDate, hierarchy: Hierarchy, rollupLevels: number): void {
  const chain = hierarchy.chain(from.payeeId, date, rollupLevels);
  for (let i = 0; i < chain.length; i++) credits.push({ payeeId: chain[i]!, kind: 'rollup', share: from.share, via: from.payeeId, level: i + 1 });
}

export function activityCredits(activity: Activity, hierarchy: Hierarchy, rollupLevels: number): DealCredit[] {
  const credits: DealCredit[] = [{ payeeId: activity.userId, kind: 'revenue', share: ONE, via: undefined, level: 0 }];
  addRollups(credits, credits[0]!, activity.occurredAt, hierarchy, rollupLevels);
  return credits;
}
