import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/src/money/decimal.js';
import { teamMedian, weightedMedian } from '../../shared/src/kpi/median.js';

const d = (values: string[]) => values.map((v) => new Decimal(v));

describe('teamMedian', () => {
  it('is undefined for no values', () => {
    expect(teamMedian([])).toBeUndefined();
  });

  it('takes the middle value of an odd count, whatever the input order', () => {
    // Sorted 0.4, 0.75, 1.2 → 0.75.
    expect(teamMedian(d(['1.2', '0.4', '0.75']))?.toString()).toBe('0.75');
  });

  it('averages the two middle values of an even count', () => {
    // Sorted 1, 2, 3, 10 → (2 + 3) / 2 = 2.5.
    expect(teamMedian(d(['10', '1', '3', '2']))?.toString()).toBe('2.5');
  });
});

describe('weightedMedian', () => {
  it('follows the weight, not the number of entries', () => {
    // 10 (0.5), 20 (0.5), 40 (2): total 3, half 1.5; cumulative 0.5, 1, 3 → 40 (unweighted it would be 20).
    const entries = [
      { value: new Decimal(10), weight: new Decimal('0.5') },
      { value: new Decimal(40), weight: new Decimal(2) },
      { value: new Decimal(20), weight: new Decimal('0.5') },
    ];
    expect(weightedMedian(entries)?.toString()).toBe('40');
  });

  it('averages the neighbours when the cumulative weight lands exactly on the half', () => {
    // 10 (1), 20 (1): half 1, reached exactly at 10 → (10 + 20) / 2 = 15.
    expect(weightedMedian([{ value: new Decimal(20), weight: new Decimal(1) }, { value: new Decimal(10), weight: new Decimal(1) }])?.toString()).toBe('15');
  });

  it('ignores zero weights', () => {
    expect(weightedMedian([{ value: new Decimal(5), weight: new Decimal(0) }])).toBeUndefined();
  });
});
