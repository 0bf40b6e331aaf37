import { fromScaled, minusScaled, plusScaled, scaleByScaled, timesScaled, toScaled } from '../money/scaled.js';
import type { TierSchedule, TierState } from './tiers.js';

/**
 * A tier schedule in scaled integers (money/scaled.ts), for paying a component's events
 * without decimal.js: credit values at `creditScale`, rates at `rateScale`, so a credit
 * times a rate is an amount at `amountScale`, their sum. Undefined when a bound or rate
 * does not fit (a prorated quota's bound with forty digits, say): the payer then pays in
 * decimals from the start.
 */
export class ScaledTiers {
  readonly amountScale: number;
  private constructor(
    readonly schedule: TierSchedule,
    readonly creditScale: number,
    readonly rateScale: number,
    readonly lowers: Float64Array,
    /** +Infinity for the open top tier. */
    readonly uppers: Float64Array,
    readonly rates: Float64Array,
    /** NaN when the table has no marginal region. */
    readonly marginalFrom: number,
    private readonly lowersRise: boolean,
  ) {
    this.amountScale = creditScale + rateScale;
  }

  static of(schedule: TierSchedule, creditScale: number): ScaledTiers | undefined {
    let rateScale = 0;
    for (const rate of schedule.rates) rateScale = Math.max(rateScale, rate.decimalPlaces());
    const n = schedule.rates.length;
    const lowers = new Float64Array(n);
    const uppers = new Float64Array(n);
    const rates = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lowers[i] = toScaled(schedule.lowers[i]!, creditScale);
      const upper = schedule.uppers[i];
      uppers[i] = upper === undefined ? Infinity : toScaled(upper, creditScale);
      rates[i] = toScaled(schedule.rates[i]!, rateScale);
    }
    const marginalFrom = schedule.marginalFrom === undefined ? NaN : toScaled(schedule.marginalFrom, creditScale);
    if (lowers.some(Number.isNaN) || uppers.some(Number.isNaN) || rates.some(Number.isNaN)) return undefined;
    if (schedule.marginalFrom !== undefined && Number.isNaN(marginalFrom)) return undefined;
    const lowersRise = lowers.every((lower, i) => i === 0 || lower > lowers[i - 1]!);
    return new ScaledTiers(schedule, creditScale, rateScale, lowers, uppers, rates, marginalFrom, lowersRise);
  }

  /** TierSchedule.tierAt. */
  tierAt(x: number): number {
    let idx = 0;
    for (let i = 1; i < this.lowers.length; i++) {
      if (this.lowers[i]! <= x) idx = i;
      else if (this.lowersRise) break;
    }
    return idx;
  }

  /** TierSchedule.tierNear. */
  tierNear(x: number, near: number, notBelow: boolean): number {
    if (!this.lowersRise) return this.tierAt(x);
    let i = near;
    while (i + 1 < this.lowers.length && this.lowers[i + 1]! <= x) i++;
    if (i === near && !notBelow) while (i > 0 && this.lowers[i]! > x) i--;
    return i;
  }
}

/** TierState in scaled integers: credit values at the tiers' credit scale. */
export class ScaledTierState {
  cumulative = 0;
  retroCumulative: number;
  /** The payout credit paid at the retroactive rate so far (what a true-up re-rates). */
  retroBase = 0;
  tier: number;
  retroTier: number;
  /** The last event's true-up, at the amount scale; NaN when it had none. */
  trueUp = NaN;
  trueUpBase = 0;
  trueUpFromTier = 0;

  constructor(tiers: ScaledTiers) {
    this.tier = tiers.tierAt(0);
    this.retroTier = tiers.schedule.retroTierOf(this.tier);
    const m = tiers.marginalFrom;
    this.retroCumulative = Number.isNaN(m) ? 0 : 0 <= m ? 0 : m;
  }

  /** The same position as a decimal TierState, to go on paying in decimals. */
  continueIn(state: TierState, tiers: ScaledTiers): void {
    const s = tiers.creditScale;
    state.resume(fromScaled(this.cumulative, s), fromScaled(this.retroCumulative, s), fromScaled(this.retroBase, s), this.tier, this.retroTier);
  }
}

const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0);

/**
 * payTiered (tiers.ts) without slices, in scaled integers: the amount at the tiers'
 * amount scale, with the event's true-up (if any) left on the state. NaN, with the state
 * untouched, when a step does not fit or is not exact (a credit straddling a tier whose
 * share is a fraction of a unit, say): the caller pays that event, and the rest, in decimals.
 * Every step mirrors payTiered's, so where both give a result they give the same one.
 */
export function payTieredScaled(tiers: ScaledTiers, state: ScaledTierState, quotaCredit: number, payoutCredit: number): number {
  const before = state.cumulative;
  const after = plusScaled(before, quotaCredit);
  if (Number.isNaN(after)) return NaN;
  const m = tiers.marginalFrom;
  const hasMarginal = !Number.isNaN(m);
  const retroBefore = state.retroCumulative;
  const retroAfter = !hasMarginal ? after : after <= m ? after : m;
  const whollyRetro = !hasMarginal || (before <= m && after <= m);
  const whollyMarginal = !whollyRetro && before >= m && after >= m;
  // payTiered's subtract(a, b) gives +0 for the same object; a − a is +0 here too.
  const quotaRetroIsCredit = whollyRetro;
  const quotaRetro = whollyRetro ? quotaCredit : whollyMarginal ? 0 : minusScaled(retroAfter, retroBefore);
  if (Number.isNaN(quotaRetro)) return NaN;
  let payRetro: number;
  let payRetroIsCredit = false;
  if (quotaCredit === 0) {
    payRetroIsCredit = !hasMarginal || before < m;
    payRetro = payRetroIsCredit ? payoutCredit : 0;
  } else if (whollyRetro) {
    payRetroIsCredit = true;
    payRetro = payoutCredit;
  } else payRetro = quotaRetro === 0 ? 0 : scaleByScaled(payoutCredit, quotaRetro, quotaCredit);
  if (Number.isNaN(payRetro)) return NaN;
  const payMarginal = payRetroIsCredit ? 0 : minusScaled(payoutCredit, payRetro);
  if (Number.isNaN(payMarginal)) return NaN;

  const schedule = tiers.schedule;
  let amount = 0;
  const tierAfter = tiers.tierNear(after, state.tier, !isNegative(quotaCredit));
  const retroTier = schedule.retroTierOf(tierAfter);
  if (payRetro !== 0) {
    amount = addAmount(amount, timesScaled(payRetro, tiers.rates[retroTier]!));
    if (Number.isNaN(amount)) return NaN;
  }
  if (payMarginal !== 0) {
    const quotaMarginal = quotaRetroIsCredit || quotaRetro === quotaCredit ? 0 : minusScaled(quotaCredit, quotaRetro);
    if (Number.isNaN(quotaMarginal)) return NaN;
    if (quotaMarginal === 0 || schedule.table.straddle === 'whole') {
      const fromValue = !hasMarginal || before >= m ? before : m;
      const tier = quotaMarginal === 0 ? tiers.tierAt(fromValue) : tierAfter;
      amount = addAmount(amount, timesScaled(payMarginal, tiers.rates[tier]!));
    } else {
      const low = before <= after ? before : after;
      const lo = hasMarginal ? (low >= m ? low : m) : low >= 0 ? low : 0;
      const hi = before >= after ? before : after;
      const span = Math.abs(quotaMarginal);
      for (let i = 0; i < tiers.rates.length && !Number.isNaN(amount); i++) {
        const upper = tiers.uppers[i]!;
        const lower = tiers.lowers[i]!;
        if (upper <= lo || lower >= hi) continue;
        const overlapHi = hi <= upper ? hi : upper;
        const overlap = overlapHi - (lo >= lower ? lo : lower);
        if (!Number.isSafeInteger(overlap)) return NaN;
        if (overlap <= 0) continue;
        amount = addAmount(amount, timesScaled(scaleByScaled(payMarginal, overlap, span), tiers.rates[i]!));
      }
    }
    if (Number.isNaN(amount)) return NaN;
  }

  let trueUp = NaN;
  let retroBase = state.retroBase;
  if (retroTier !== state.retroTier) {
    const fromRate = tiers.rates[state.retroTier]!;
    const toRate = tiers.rates[retroTier]!;
    if (retroBase !== 0 && fromRate !== toRate) {
      trueUp = timesScaled(toRate - fromRate, retroBase);
      if (Number.isNaN(trueUp)) return NaN;
    }
  }
  const trueUpBase = retroBase;
  // payTiered adds payRetro to the running base only when it is not zero.
  if (payRetro !== 0) {
    retroBase = plusScaled(retroBase, payRetro);
    if (Number.isNaN(retroBase)) return NaN;
  }
  state.trueUp = trueUp;
  state.trueUpBase = trueUpBase;
  state.trueUpFromTier = state.retroTier;
  state.cumulative = after;
  state.retroBase = retroBase;
  state.retroTier = retroTier;
  state.tier = tierAfter;
  state.retroCumulative = retroAfter;
  return amount;
}

/** payTiered's add(amount, paid). */
function addAmount(amount: number, paid: number): number {
  return Number.isNaN(paid) ? NaN : plusScaled(amount, paid);
}
