import { ONE, ZERO, type Decimal } from '../money/decimal.js';

export interface Weighted {
  readonly value: Decimal;
  readonly weight: Decimal;
}

/**
 * The value at half the total weight. When the cumulative weight lands exactly on the half,
 * the two neighbours are averaged, so with equal weights this is the ordinary median.
 * Zero weights are ignored; undefined when nothing is left.
 */
export function weightedMedian(entries: readonly Weighted[]): Decimal | undefined {
  const sorted = entries.filter((e) => e.weight.greaterThan(0)).sort((a, b) => a.value.comparedTo(b.value));
  if (sorted.length === 0) return undefined;
  const half = sorted.reduce((total, e) => total.plus(e.weight), ZERO).dividedBy(2);
  let cumulative = ZERO;
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    cumulative = cumulative.plus(entry.weight);
    if (cumulative.lessThan(half)) continue;
    const next = sorted[i + 1];
    return cumulative.equals(half) && next ? entry.value.plus(next.value).dividedBy(2) : entry.value;
  }
  return sorted[sorted.length - 1]!.value;
}

/** The median of one KPI across a team's members, for "you vs team median" cards; undefined for no values. */
export function teamMedian(values: readonly Decimal[]): Decimal | undefined {
  return weightedMedian(values.map((value) => ({ value, weight: ONE })));
}
