import { ZERO, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { ComponentId, PlanId, UserId } from '../domain/ids.js';
import { plansInForce } from '../engine/period-lines.js';
import type { Statement } from '../engine/statement.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { Plan } from '../plan/plan.js';
import { minDate, type IsoDate } from '../time/iso-date.js';
import { lastDay, type Period } from '../time/period.js';

export interface RateComponent {
  readonly planId: PlanId;
  readonly componentId: ComponentId;
  /** 1-based tier the next unit of credit lands in. */
  readonly tier: number;
  /** The tier's rate on credit in the plan currency. */
  readonly rate: Decimal;
  readonly planCurrency: CurrencyCode;
  /** Pay currency earned per unit of home-currency credit: rate × FX home→plan × FX plan→pay. */
  readonly perHomeUnit: Decimal;
}

export interface MarginalRate {
  /** Pay currency earned per unit of revenue credit in the home currency, summed over components. */
  readonly perHomeUnit: Decimal;
  readonly components: readonly RateComponent[];
  /** Components left out because no FX rate was known on the rate date. */
  readonly missingFx: readonly { readonly planId: PlanId; readonly componentId: ComponentId; readonly from: CurrencyCode; readonly to: CurrencyCode }[];
}

/**
 * What one more unit of revenue credit would pay the rep now: for each commission
 * component paying on the rep's own revenue credit, the rate of the tier the next unit
 * lands in, given where the current statement stands. It deliberately leaves out retro
 * true-ups, spiffs, bonuses, caps, gates and deal filters: coverage and conversion prompts
 * need a rate to value pipeline that does not exist yet, not a forecast of one deal.
 * Attainment tables without a quota have no known tier and count as zero.
 * FX rates are those known on asOf (or the period's last day, if earlier).
 */
export function marginalRate(index: TenantIndex, plans: readonly Plan[], statement: Statement | undefined, repId: UserId, period: Period, asOf: IsoDate, payCurrency: CurrencyCode): MarginalRate {
  const home = index.data.tenant.currency;
  const rateDate = minDate(lastDay(period), asOf);
  const components: RateComponent[] = [];
  const missingFx: { planId: PlanId; componentId: ComponentId; from: CurrencyCode; to: CurrencyCode }[] = [];
  for (const plan of plansInForce(plans, period)) {
    if (!plan.payees.some((a) => a.userId === repId && a.from < period.end && (a.to === undefined || a.to > period.start))) continue;
    for (const component of plan.components) {
      if (component.type !== 'commission' || component.measure.kind !== 'revenue' || !component.credit.payout.includes('revenue')) continue;
      const summary = statement?.attainment.find((s) => s.planId === plan.id && s.componentId === component.id);
      const position = component.tiers.basis === 'attainment' ? summary?.attainment : (summary?.credited ?? ZERO);
      if (position === undefined) continue;
      // A tier's lower bound unlocks it, so a rep exactly on a bound is already in the next tier.
      const index0 = component.tiers.rows.findIndex((r) => r.upTo === undefined || r.upTo.greaterThan(position));
      const row = component.tiers.rows[index0];
      if (!row) continue;
      const toPlan = index.fx.lookup(home, plan.currency, rateDate);
      const toPay = index.fx.lookup(plan.currency, payCurrency, rateDate);
      if (toPlan === undefined || toPay === undefined) {
        missingFx.push(toPlan === undefined ? { planId: plan.id, componentId: component.id, from: home, to: plan.currency } : { planId: plan.id, componentId: component.id, from: plan.currency, to: payCurrency });
        continue;
      }
      let perHomeUnit = row.rate;
      if (toPlan !== 'same') perHomeUnit = perHomeUnit.times(toPlan.rate);
      if (toPay !== 'same') perHomeUnit = perHomeUnit.times(toPay.rate);
      components.push({ planId: plan.id, componentId: component.id, tier: index0 + 1, rate: row.rate, planCurrency: plan.currency, perHomeUnit });
    }
  }
  return { perHomeUnit: components.reduce((t, c) => t.plus(c.perHomeUnit), ZERO), components, missingFx };
}
