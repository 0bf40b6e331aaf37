import { HUNDRED, ONE, ZERO, add, compact, compare, fitsPrecision, maxDecimal, minDecimal, scaleBy, subtract, type Decimal } from '../money/decimal.js';
import type { TierTable } from '../plan/plan.js';
import { Deferred, resolve, type MaybeDeferred } from './deferred.js';
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
  /**
   * The table's basis is attainment %, so `toBasis(x)` is exactly `attainmentPercent(x, quota)`
   * for every cumulative credit x (a sum decimal.js rounded, so at most 40 digits): the unit
   * quota/100 only shifts the quota's digits, and x / (q/100) and x × 100 / q are the same
   * correctly rounded quotient (test/engine/shortcuts.test.ts). One division — deferred
   * until provenance is read — then serves a line's attainment and its slice's end.
   */
  readonly basisIsAttainment: boolean;
  private readonly retroTopTier: number;
  /** Lower bounds rise (parsed tables always do), so the tier search can stop at the first bound above x. */
  private readonly lowersRise: boolean;
  private marginalFromBasis: Decimal | undefined;

  constructor(
    readonly table: TierTable,
    /** Value units per basis unit: quota/100 for attainment tables, 1 for amount tables. */
    private readonly unit: Decimal,
  ) {
    // Kept for the whole run (provenance replays the component's events): compact copies.
    const toValue = (b: Decimal): Decimal => compact(b.times(unit));
    this.uppers = table.rows.map((r) => (r.upTo === undefined ? undefined : toValue(r.upTo)));
    this.lowers = table.rows.map((_, i) => (i === 0 ? ZERO : this.uppers[i - 1]!));
    this.rates = table.rows.map((r) => r.rate);
    this.marginalFrom = table.mode === 'retroactive' ? undefined : table.mode === 'marginal' ? ZERO : toValue(table.marginalFrom!);
    const endsAtGate = this.marginalFrom === undefined ? -1 : this.uppers.findIndex((u) => u !== undefined && u.equals(this.marginalFrom!));
    this.retroTopTier = endsAtGate >= 0 ? endsAtGate : this.rates.length - 1;
    this.basisIsAttainment = table.basis === 'attainment';
    this.lowersRise = this.lowers.every((lower, i) => i === 0 || lower.greaterThan(this.lowers[i - 1]!));
  }

  toBasis(value: Decimal): Decimal {
    if (this.unit.isZero()) return ZERO;
    // Amount tables: dividing by one changes nothing.
    return this.unit === ONE && fitsPrecision(value) ? value : value.dividedBy(this.unit);
  }

  /** toBasis(marginalFrom), the same for every event. */
  marginalBasis(): Decimal {
    this.marginalFromBasis ??= this.toBasis(this.marginalFrom!);
    return this.marginalFromBasis;
  }

  /** The tier unlocked by cumulative credit x. */
  tierAt(x: Decimal): number {
    let idx = 0;
    for (let i = 1; i < this.lowers.length; i++) {
      if (compare(this.lowers[i]!, x) <= 0) idx = i;
      else if (this.lowersRise) break;
    }
    return idx;
  }

  /**
   * tierAt(x), searching from `near` (the tier of a nearby value) instead of from the
   * bottom: consecutive events mostly stay in one tier, so this is usually one comparison.
   * `notBelow` says x is at least that nearby value, so no bound below it needs checking.
   */
  tierNear(x: Decimal, near: number, notBelow: boolean): number {
    if (!this.lowersRise) return this.tierAt(x);
    let i = near;
    while (i + 1 < this.lowers.length && compare(this.lowers[i + 1]!, x) <= 0) i++;
    if (i === near && !notBelow) while (i > 0 && compare(this.lowers[i]!, x) > 0) i--;
    return i;
  }

  /** The rate tier that applies to the retroactive region at cumulative credit x. */
  retroTierAt(x: Decimal): number {
    return this.retroTierOf(this.tierAt(x));
  }

  /** The retroactive rate tier when `tier` is unlocked. */
  retroTierOf(tier: number): number {
    return Math.min(tier, this.retroTopTier);
  }
}

/** Where one payee's component stands in its tier table during a period; `payTiered` moves it along. */
export class TierState {
  cumulative: Decimal = ZERO;
  retroTier: number;
  /** tierAt(cumulative). */
  tier: number;
  /** min(cumulative, marginalFrom): where the retroactive region stands (the next event starts there). */
  retroCumulative: Decimal;
  /** toBasis(cumulative), if an event needed it (deferred for attainment tables): the next event's slice starts there. */
  cumulativeBasis: Basis | undefined = undefined;
  /**
   * Payout credit paid so far at the retroactive rate, which a true-up re-rates. The
   * running sum is only needed when the tier changes, so its additions wait until then:
   * the same additions in the same order, but not one per event.
   */
  private retroBase = ZERO;
  private readonly retroToAdd: Decimal[] = [];

  constructor(schedule: TierSchedule) {
    this.retroTier = schedule.retroTierAt(ZERO);
    this.tier = schedule.tierAt(ZERO);
    this.retroCumulative = schedule.marginalFrom === undefined ? ZERO : minDecimal(ZERO, schedule.marginalFrom);
  }

  /** Takes up where a scaled-integer payer stopped (see scaled-tiers.ts): the same position, in decimals. */
  resume(cumulative: Decimal, retroCumulative: Decimal, retroBase: Decimal, tier: number, retroTier: number): void {
    this.cumulative = cumulative;
    this.retroCumulative = retroCumulative;
    this.retroBase = retroBase;
    this.retroToAdd.length = 0;
    this.tier = tier;
    this.retroTier = retroTier;
    this.cumulativeBasis = undefined;
  }

  addRetro(payRetro: Decimal): void {
    // Adding zero leaves the sum as it is.
    if (!payRetro.isZero()) this.retroToAdd.push(payRetro);
  }

  retroTotal(): Decimal {
    for (const payRetro of this.retroToAdd) this.retroBase = add(this.retroBase, payRetro);
    this.retroToAdd.length = 0;
    return this.retroBase;
  }
}

export const initialTierState = (schedule: TierSchedule): TierState => new TierState(schedule);

/** A point in the table's basis, as a slice bound or an attainment: computed, or to be computed when read. */
export type Basis = MaybeDeferred<Decimal>;

/**
 * A slice as paid: its bounds in the basis may still be deferred (see `resolveSlice`).
 * The amounts are final; only provenance shows the bounds.
 */
export interface RawSlice {
  readonly tier: number;
  readonly from: Basis;
  readonly to: Basis;
  readonly value: Decimal;
  readonly rate: Decimal;
  readonly amount: Decimal;
}

export function resolveSlice(slice: RawSlice): TierSlice {
  return { tier: slice.tier, from: resolve(slice.from), to: resolve(slice.to), value: slice.value, rate: slice.rate, amount: slice.amount };
}

/**
 * toBasis(value) of an attainment table, divided out when read. It is also the
 * attainment % at that cumulative credit (see `basisIsAttainment`).
 */
export class BasisPoint extends Deferred<Decimal> {
  constructor(
    private readonly schedule: TierSchedule,
    private readonly value: Decimal,
  ) {
    super();
  }

  protected compute(): Decimal {
    return compact(this.schedule.toBasis(this.value));
  }
}

export interface TierResult {
  readonly amount: Decimal;
  readonly slices: RawSlice[];
  readonly trueUp: { readonly amount: Decimal; readonly fromRate: Decimal; readonly toRate: Decimal; readonly base: Decimal } | undefined;
}

/**
 * toBasis of the points one event touches: its start (known from the previous event),
 * its end, and marginalFrom. Amount tables need no division; for attainment tables the
 * end is a deferred point, which the next event starts from.
 */
class EventBases {
  private afterBasis: Basis | undefined;

  constructor(
    private readonly schedule: TierSchedule,
    private readonly before: Decimal,
    private readonly beforeBasis: Basis | undefined,
    private readonly after: Decimal,
  ) {
    // With no quota credit, after is before's copy.
    if (after === before) this.afterBasis = beforeBasis;
  }

  /** toBasis(x), borrowing the basis of an equal point: it depends on the value only (a comparison costs far less than a division). */
  of(x: Decimal): Basis {
    if (x === this.after) return this.ofAfter();
    if (x === this.before && this.beforeBasis !== undefined) return this.beforeBasis;
    if (x === this.schedule.marginalFrom) return this.schedule.marginalBasis();
    if (x.equals(this.after)) return this.ofAfter();
    if (this.beforeBasis !== undefined && x.equals(this.before)) return this.beforeBasis;
    return this.schedule.toBasis(x);
  }

  ofAfter(): Basis {
    this.afterBasis ??= this.schedule.basisIsAttainment ? new BasisPoint(this.schedule, this.after) : this.schedule.toBasis(this.after);
    return this.afterBasis;
  }

  /** The end's basis if it was needed (always, for attainment tables: it is the attainment after the event). */
  known(): Basis | undefined {
    return this.schedule.basisIsAttainment ? this.ofAfter() : this.afterBasis;
  }
}

/**
 * Pays one credit event. `quotaCredit` moves attainment; `payoutCredit` is what is paid on
 * (they differ when, say, an overlay pays on a deal that does not count toward quota).
 *
 * Called once per credited record and payee, so it skips operations whose result is
 * known (see money/decimal.ts) and starts where the previous event ended. Moves `state`
 * past the event; for attainment tables `state.cumulativeBasis` is then the attainment.
 *
 * Without `withSlices` only the amount and the true-up are worked out: the same slice
 * amounts added in the same order, but no slice objects and no basis points (a full
 * recompute pays a million events and keeps none of that; provenance replays the events
 * with slices when it is read, see CommissionTrace).
 */
export function payTiered(schedule: TierSchedule, state: TierState, quotaCredit: Decimal, payoutCredit: Decimal, withSlices = true): TierResult {
  const before = state.cumulative;
  const after = add(before, quotaCredit);
  const m = schedule.marginalFrom;
  // The retroactive region ends at m (minDecimal returns its first argument on a tie).
  const retroBefore = state.retroCumulative;
  const retroAfter = m === undefined ? after : minDecimal(after, m);
  // A credit that stays on one side of the marginal threshold is wholly retroactive or
  // wholly marginal by definition. Deciding that by comparison, not by subtracting running
  // totals, matters: a credit with more digits than the working precision (an amount
  // divided by an FX rate such as 0.971326) makes `after - before` differ from the credit by
  // 1e-35, and that artefact used to become a "marginal" remainder scaled into a huge
  // negative slice.
  const whollyRetro = m === undefined || (compare(before, m) <= 0 && compare(after, m) <= 0);
  const whollyMarginal = !whollyRetro && compare(before, m) >= 0 && compare(after, m) >= 0;
  const quotaRetro = whollyRetro ? quotaCredit : whollyMarginal ? ZERO : subtract(retroAfter, retroBefore);
  let payRetro: Decimal;
  if (quotaCredit.isZero()) payRetro = m === undefined || compare(before, m) < 0 ? payoutCredit : ZERO;
  else if (whollyRetro) payRetro = payoutCredit;
  // No retroactive credit pays nothing retroactively; the sign of that zero is never observed (it is only tested and added).
  else payRetro = quotaRetro.isZero() ? ZERO : scaleBy(payoutCredit, quotaRetro, quotaCredit);
  const payMarginal = subtract(payoutCredit, payRetro);
  const bases = withSlices ? new EventBases(schedule, before, state.cumulativeBasis, after) : undefined;

  const slices: RawSlice[] = [];
  let amount = ZERO;
  const tierAfter = schedule.tierNear(after, state.tier, !quotaCredit.isNegative());
  const retroTier = schedule.retroTierOf(tierAfter);
  if (!payRetro.isZero()) {
    const rate = schedule.rates[retroTier]!;
    const paid = compact(payRetro.times(rate));
    amount = add(amount, paid);
    if (bases) slices.push({ tier: retroTier + 1, from: bases.of(retroBefore), to: bases.of(retroAfter), value: payRetro, rate, amount: paid });
  }
  if (!payMarginal.isZero()) {
    const quotaMarginal = quotaRetro === quotaCredit || quotaRetro.equals(quotaCredit) ? ZERO : quotaCredit.minus(quotaRetro);
    if (quotaMarginal.isZero() || schedule.table.straddle === 'whole') {
      const fromValue = maxDecimal(before, m ?? before);
      const tier = quotaMarginal.isZero() ? schedule.tierAt(fromValue) : tierAfter;
      const rate = schedule.rates[tier]!;
      const paid = compact(payMarginal.times(rate));
      amount = add(amount, paid);
      if (bases) slices.push({ tier: tier + 1, from: bases.of(fromValue), to: bases.of(maxDecimal(after, m ?? after)), value: payMarginal, rate, amount: paid });
    } else {
      const lo = maxDecimal(minDecimal(before, after), m ?? ZERO);
      const hi = maxDecimal(before, after);
      const span = quotaMarginal.abs();
      for (let i = 0; i < schedule.rates.length; i++) {
        const upper = schedule.uppers[i];
        const lower = schedule.lowers[i]!;
        // A tier wholly below or above [lo, hi] has no overlap; skip it before computing one.
        if ((upper !== undefined && compare(upper, lo) <= 0) || compare(lower, hi) >= 0) continue;
        const overlapHi = upper === undefined ? hi : minDecimal(hi, upper);
        const overlap = overlapHi.minus(maxDecimal(lo, lower));
        if (overlap.lessThanOrEqualTo(0)) continue;
        const value = scaleBy(payMarginal, overlap, span);
        const rate = schedule.rates[i]!;
        const paid = compact(value.times(rate));
        amount = add(amount, paid);
        if (!bases) continue;
        const [from, to] = quotaCredit.isNegative() ? [overlapHi, overlapHi.minus(overlap)] : [overlapHi.minus(overlap), overlapHi];
        slices.push({ tier: i + 1, from: bases.of(from), to: bases.of(to), value, rate, amount: paid });
      }
    }
  }

  let trueUp: TierResult['trueUp'];
  if (retroTier !== state.retroTier) {
    const retroBase = state.retroTotal();
    const fromRate = schedule.rates[state.retroTier]!;
    const toRate = schedule.rates[retroTier]!;
    if (!retroBase.isZero() && !fromRate.equals(toRate)) trueUp = { amount: toRate.minus(fromRate).times(retroBase), fromRate, toRate, base: retroBase };
  }
  state.cumulative = after;
  state.addRetro(payRetro);
  state.retroTier = retroTier;
  state.tier = tierAfter;
  state.retroCumulative = retroAfter;
  state.cumulativeBasis = bases?.known();
  return { amount, slices, trueUp };
}

export function attainmentPercent(cumulative: Decimal, quota: Decimal | undefined): Decimal | undefined {
  return quota === undefined || quota.isZero() ? undefined : cumulative.times(HUNDRED).dividedBy(quota);
}
