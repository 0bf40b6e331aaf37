import { ONE } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { FxRate } from '../domain/fx.js';
import type { IsoDate } from '../time/iso-date.js';
import type { FxUse } from './statement.js';

/**
 * Stored FX rates, looked up "latest published on or before the date". Only a rate stored
 * for the pair (or its inverse) is used: a missing rate is reported, never guessed.
 */
export class FxTable {
  private readonly byPair = new Map<string, FxRate[]>();

  constructor(rates: readonly FxRate[]) {
    for (const rate of rates) {
      const key = `${rate.from}>${rate.to}`;
      const list = this.byPair.get(key) ?? [];
      list.push(rate);
      this.byPair.set(key, list);
    }
    // Ties on a date resolve by source name so the answer never depends on input order.
    for (const list of this.byPair.values()) list.sort((a, b) => (a.date === b.date ? a.source.localeCompare(b.source) : a.date < b.date ? -1 : 1));
  }

  /** Answers by pair, then date: every deal of a day in one currency asks the same question (answers are read-only, so they are shared). */
  private readonly answers = new Map<string, Map<IsoDate, FxUse | undefined>>();

  /** The rate to convert `from` into `to` on `date`; undefined when none is stored. Same currency needs no rate. */
  lookup(from: CurrencyCode, to: CurrencyCode, date: IsoDate): FxUse | 'same' | undefined {
    if (from === to) return 'same';
    const pair = `${from}>${to}`;
    let byDate = this.answers.get(pair);
    if (!byDate) this.answers.set(pair, (byDate = new Map()));
    if (byDate.has(date)) return byDate.get(date);
    const answer = this.find(from, to, date);
    byDate.set(date, answer);
    return answer;
  }

  private find(from: CurrencyCode, to: CurrencyCode, date: IsoDate): FxUse | undefined {
    const direct = latestOnOrBefore(this.byPair.get(`${from}>${to}`), date);
    const inverse = latestOnOrBefore(this.byPair.get(`${to}>${from}`), date);
    // Prefer the fresher of a direct and an inverse quote; a direct quote wins a tie.
    if (direct && (!inverse || direct.date >= inverse.date)) return { from, to, rate: direct.rate, date: direct.date, source: direct.source };
    if (inverse) return { from, to, rate: ONE.dividedBy(inverse.rate), date: inverse.date, source: `${inverse.source} (inverse of ${to}/${from})` };
    return undefined;
  }
}

function latestOnOrBefore(list: readonly FxRate[] | undefined, date: IsoDate): FxRate | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  let found: FxRate | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = list[mid]!;
    if (candidate.date <= date) {
      found = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
