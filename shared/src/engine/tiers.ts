import { HUNDRED, ZERO, maxDecimal, minDecimal, type Decimal } from '../money/decimal.js';
import type { TierTable } from '../plan/plan.js';
import type { TierSlice } from './statement.js';

/**
 * One tier table turned into value units (plan currency for revenue, units for counts),
 * so the same arithmetic serves attainment-% and amount tables.
 *
 * Retroactive, marginal and hybrid tables are one mechanism: value below `marginalFrom`
 * is paid retroactively (all of it at the rate of the highest tier reached, with a
 * true-up on earlier credit when a new tier is reached), value above it marginally
 * (each slice at its own tier's rate). A retroactive table has no marginal region; a
 * marginal table has no retroactive one. Reaching a tier's lower bound unlocks it.
 */
export class TierSchedule {
  readonly lowers: readonly Decimal[];
  readonly uppers: readonly (Decimal | undefined)[];
  readonly rates: readonly Decimal[];
  /** In value units; undefined means "no marginal region". */
  readonly marginalFrom: Decimal | undefined;
  private readonly retroTopTier: number;

  constructor(
    readonly table: TierTable,
    /** Value units per basis unit: quota/100 for attainment tables, 1 for amount tables. */
    private readonly unit: Decimal,
  ) {
    const toValue = (b: Decimal): Decimal => b.times(unit);
    this.uppers = table.rows.map((r) => (r.upTo === undefined ? undefined : toValue(r.upTo)));
    this.lowers = table.rows.map((_, i) => (i === 0 ? ZERO : this.uppers[i - 1]!));
    this.rates = table.rows.map((r) => r.rate);
    this.marginalFrom = table.mode === 'retroactive' ? undefined : table.mode === 'marginal' ? ZERO : toValue(table.marginalFrom!);
    const endsAtGate = this.marginalFrom === undefined ? -1 : this.uppers.findIndex((u) => u !== undefined && u.equals(this.marginalFrom!));
    this.retroTopTier = endsAtGate >= 0 ? endsAtGate : this.rates.length - 1;
  }

  toBasis(value: Decimal): Decimal {
    return this.unit.isZero() ? ZERO : value.dividedBy(this.unit);
  }

  /** The tier unlocked by cumulative credit x. */
  tierAt(x: Decimal): number {
    let idx = 0;
    for (let i = 1; i < this.lowers.length; i++) if (this.lowers[i]!.lessThanOrEqualTo(x)) idx = i;
    return idx;
  }

  /** The rate tier that applies to the retroactive region at cumulative credit x. */
  retroTierAt(x: Decimal): number {
    return Math.min(this.tierAt(x), this.retroTopTier);
  }
}

export interface TierState {
  readonly cumulative: Decimal;
  /** Payout credit paid so far at the retroactive rate; a true-up applies the rate change to it. */
  readonly retroBase: Decimal;
  readonly retroTier: number;
}

export const initialTierState = (schedule: TierSchedule): TierState => ({ cumulative: ZERO, retroBase: ZERO, retroTier: schedule.retroTierAt(ZERO) });

export interface TierResult {
  readonly amount: Decimal;
  readonly slices: TierSlice[];
  readonly trueUp: { readonly amount: Decimal; readonly fromRate: Decimal; readonly toRate: Decimal; readonly base: Decimal } | undefined;
  readonly state: TierState;
}

/**
 * Pays one credit event. `quotaCredit` moves attainment; `payoutCredit` is what is paid on
 * (they differ when, say, an overlay pays on a deal that does not count toward quota).
 */
export function payTiered(schedule: TierSchedule, state: TierState, quotaCredit: Decimal, payoutCredit: Decimal): TierResult {
  const before = state.cumulative;
  const after = before.plus(quotaCredit);
  const m = schedule.marginalFrom;
  const clamp = (x: Decimal): Decimal => (m === undefined ? x : minDecimal(x, m));
  const quotaRetro = clamp(after).minus(clamp(before));
  const quotaMarginal = quotaCredit.minus(quotaRetro);
  let payRetro: Decimal;
  if (quotaCredit.isZero()) payRetro = m === undefined || before.lessThan(m) ? payoutCredit : ZERO;
  else payRetro = payoutCredit.times(quotaRetro).dividedBy(quotaCredit);
  const payMarginal = payoutCredit.minus(payRetro);

  const slices: TierSlice[] = [];
  const retroTier = schedule.retroTierAt(after);
  if (!payRetro.isZero()) {
    const rate = schedule.rates[retroTier]!;
    slices.push({ tier: retroTier + 1, from: schedule.toBasis(clamp(before)), to: schedule.toBasis(clamp(after)), value: payRetro, rate, amount: payRetro.times(rate) });
  }
  if (!payMarginal.isZero()) {
    if (quotaMarginal.isZero() || schedule.table.straddle === 'whole') {
      const tier = quotaMarginal.isZero() ? schedule.tierAt(maxDecimal(before, m ?? before)) : schedule.tierAt(after);
      const rate = schedule.rates[tier]!;
      slices.push({ tier: tier + 1, from: schedule.toBasis(maxDecimal(before, m ?? before)), to: schedule.toBasis(maxDecimal(after, m ?? after)), value: payMarginal, rate, amount: payMarginal.times(rate) });
    } else {
      const lo = maxDecimal(minDecimal(before, after), m ?? ZERO);
      const hi = maxDecimal(before, after);
      const span = quotaMarginal.abs();
      for (let i = 0; i < schedule.rates.length; i++) {
        const upper = schedule.uppers[i];
        const overlapHi = upper === undefined ? hi : minDecimal(hi, upper);
        const overlap = overlapHi.minus(maxDecimal(lo, schedule.lowers[i]!));
        if (overlap.lessThanOrEqualTo(0)) continue;
        const value = payMarginal.times(overlap).dividedBy(span);
        const rate = schedule.rates[i]!;
        const [from, to] = quotaCredit.isNegative() ? [overlapHi, overlapHi.minus(overlap)] : [overlapHi.minus(overlap), overlapHi];
        slices.push({ tier: i + 1, from: schedule.toBasis(from), to: schedule.toBasis(to), value, rate, amount: value.times(rate) });
      }
    }
  }

  let trueUp: TierResult['trueUp'];
  if (retroTier !== state.retroTier && !state.retroBase.isZero()) {
    const fromRate = schedule.rates[state.retroTier]!;
    const toRate = schedule.rates[retroTier]!;
    if (!fromRate.equals(toRate)) trueUp = { amount: toRate.minus(fromRate).times(state.retroBase), fromRate, toRate, base: state.retroBase };
  }
  let amount = ZERO;
  for (const s of slices) amount = amount.plus(s.amount);
  return { amount, slices, trueUp, state: { cumulative: after, retroBase: state.retroBase.plus(payRetro), retroTier } };
}

export function attainmentPercent(cumulative: Decimal, quota: Decimal | undefined): Decimal | undefined {
  return quota === undefined || quota.isZero() ? undefined : cumulative.times(HUNDRED).dividedBy(quota);
}
