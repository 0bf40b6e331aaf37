import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { canonicalTimeMs } from './canonical-time.js';

export interface FxPoint {
  readonly effectiveMs: number;
  /** Units of the home currency per unit of `from`, as the exact decimal text of the dataset. */
  readonly rate: string;
}

/**
 * Exchange rates into the tenant's home currency, per foreign currency, sorted by
 * effective date. CRMs keep dated rates; the sandboxes look up the rate in force on a day.
 */
export class FxTable {
  private readonly byCurrency = new Map<string, FxPoint[]>();

  constructor(readonly home: string, rates: NonNullable<RawDataset['fxRates']>) {
    for (const r of rates) {
      if (r.to !== home) continue; // CRMs store rates against the company currency only
      const list = this.byCurrency.get(r.from) ?? [];
      list.push({ effectiveMs: canonicalTimeMs(r.date), rate: String(r.rate) });
      this.byCurrency.set(r.from, list);
    }
    for (const list of this.byCurrency.values()) list.sort((a, b) => a.effectiveMs - b.effectiveMs);
  }

  currencies(): string[] {
    return [...this.byCurrency.keys()].sort();
  }

  history(currency: string): readonly FxPoint[] {
    return this.byCurrency.get(currency) ?? [];
  }

  /** The rate in force at `ms` (the latest effective on or before it; the earliest if none yet). */
  rateAt(currency: string, ms: number): string | undefined {
    if (currency === this.home) return '1';
    const list = this.byCurrency.get(currency);
    if (!list || list.length === 0) return undefined;
    let found = list[0]!;
    for (const p of list) {
      if (p.effectiveMs > ms) break;
      found = p;
    }
    return found.rate;
  }
}
