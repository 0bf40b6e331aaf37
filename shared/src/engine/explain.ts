import { HUNDRED, type Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import { displayMoney } from '../money/money.js';
import type { Measure } from '../domain/quotas.js';
import type { PlanPayoutLine } from './payout-line.js';
import type { TierSlice } from './statement.js';

/**
 * The words on a payout line. One sentence a rep can check with a calculator: what was
 * credited, where attainment stood, which tier and rate applied. Display rounding here
 * never feeds back into amounts.
 */
export function pct(value: Decimal): string {
  return `${trim(value.toDecimalPlaces(2))} %`;
}

export function ratePhrase(rate: Decimal, measure: Measure, currency: CurrencyCode): string {
  if (measure.kind === 'revenue') return trim(rate.times(HUNDRED).toDecimalPlaces(4)) + ' %';
  return `${displayMoney({ amount: rate, currency })} per ${unitName(measure)}`;
}

export function unitName(measure: Measure): string {
  return measure.kind === 'revenue' ? 'amount' : measure.kind === 'deal-count' ? 'deal' : measure.activityType;
}

export function quantity(value: Decimal, measure: Measure, currency: CurrencyCode): string {
  if (measure.kind === 'revenue') return displayMoney({ amount: value, currency });
  const n = trim(value.toDecimalPlaces(4));
  return `${n} ${unitName(measure)}${value.equals(1) ? '' : 's'}`;
}

/** "USD 10,000.00 at 5 % (tier 1) + …"; a flat rate has no tiers to name. */
export function slicesPhrase(slices: readonly TierSlice[], measure: Measure, currency: CurrencyCode, tiered: boolean): string {
  return slices.map((s) => `${quantity(s.value, measure, currency)} at ${ratePhrase(s.rate, measure, currency)}${tiered ? ` (tier ${s.tier})` : ''}`).join(' + ');
}

function trim(d: Decimal): string {
  return d.toString();
}

/**
 * A line's explanation, rendered when it is first read. A full recompute produces
 * millions of lines whose words nobody reads (a ledger write or a CLI run reads some), so
 * the engine keeps what a sentence needs and renders it only on demand. `render` must
 * give exactly the text an eager computation would have. It is handed the line, so one
 * Words object can serve every line of a component (see PlanPayoutLine).
 */
export abstract class Words {
  abstract render(line: PlanPayoutLine): string;
}

/** Words as they are carried between steps: finished text, or words still to render. */
export type Text = string | Words;

export function textOf(text: Text, line: PlanPayoutLine): string {
  return typeof text === 'string' ? text : text.render(line);
}

/** Words produced by a function: for the rarer sentences, where a closure per line costs nothing that matters. */
export class LazyWords extends Words {
  constructor(private readonly produce: () => string) {
    super();
  }

  render(): string {
    return this.produce();
  }
}

/** A sentence followed by a note that a later step adds (a cap, the gate, the pay currency). */
class Noted extends Words {
  constructor(
    private readonly sentence: Text,
    private readonly note: Text,
  ) {
    super();
  }

  render(line: PlanPayoutLine): string {
    return textOf(this.sentence, line) + textOf(this.note, line);
  }
}

export function withNote(sentence: Text, note: Text): Text {
  return typeof sentence === 'string' && typeof note === 'string' ? sentence + note : new Noted(sentence, note);
}
