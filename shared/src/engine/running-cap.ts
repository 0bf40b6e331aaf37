import { ZERO, add, minDecimal, subtract, type Decimal } from '../money/decimal.js';
import { fromScaled, minusScaled, plusScaled } from '../money/scaled.js';

/**
 * A cap on a running total: each amount in turn pays what keeps the total paid at
 * min(total wanted, cap), so a negative amount frees room under the cap exactly as much
 * as it took.
 */
export class RunningCap {
  private wanted = ZERO;
  private paid = ZERO;

  constructor(readonly cap: Decimal) {}

  /**
   * What `amount` pays. While the total paid is the total wanted (the cap has not bitten,
   * or a negative amount brought the total back under it), the amount pays itself: the
   * running total is rounded to 40 digits once its sums stop being exact, and subtracting
   * two rounded totals would give back the amount off in its last digit, as if capped.
   */
  take(amount: Decimal): Decimal {
    const wantedBefore = this.wanted;
    this.wanted = add(wantedBefore, amount);
    const newPaid = minDecimal(this.wanted, this.cap);
    const payable = newPaid === this.wanted && this.paid === wantedBefore ? amount : subtract(newPaid, this.paid);
    this.paid = newPaid;
    return payable;
  }

  /** Takes up where a ScaledRunningCap stopped. */
  resume(wanted: Decimal, paid: Decimal | 'wanted'): void {
    this.wanted = wanted;
    this.paid = paid === 'wanted' ? wanted : paid;
  }
}

/** RunningCap in scaled integers (money/scaled.ts), amounts and cap at one scale. */
export class ScaledRunningCap {
  private wanted = 0;
  private paid = 0;
  /** RunningCap's `paid === wanted`: the cap has not bitten (or no longer does). */
  private paidIsWanted = true;

  constructor(readonly cap: number) {}

  /** RunningCap.take; NaN, with nothing taken, when the running total does not fit. */
  take(amount: number): number {
    const wanted = plusScaled(this.wanted, amount);
    if (Number.isNaN(wanted)) return NaN;
    const under = wanted <= this.cap;
    const newPaid = under ? wanted : this.cap;
    const payable = under && this.paidIsWanted ? amount : minusScaled(newPaid, this.paid);
    if (Number.isNaN(payable)) return NaN;
    this.wanted = wanted;
    this.paid = newPaid;
    this.paidIsWanted = under;
    return payable;
  }

  /** The same running totals as a RunningCap, to go on in decimals. */
  inDecimals(cap: Decimal, scale: number): RunningCap {
    const running = new RunningCap(cap);
    running.resume(fromScaled(this.wanted, scale), this.paidIsWanted ? 'wanted' : fromScaled(this.paid, scale));
    return running;
  }
}
