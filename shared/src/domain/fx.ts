import type { Decimal } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';
import type { IsoDate } from '../time/iso-date.js';

/** 1 `from` = `rate` `to`, published on `date` by `source` (e.g. "ECB"). */
export interface FxRate {
  readonly from: CurrencyCode;
  readonly to: CurrencyCode;
  readonly rate: Decimal;
  readonly date: IsoDate;
  readonly source: string;
}
