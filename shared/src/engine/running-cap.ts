import { ZERO, add, minDecimal, subtract, type Decimal } from '../money/decimal.js';

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
}
