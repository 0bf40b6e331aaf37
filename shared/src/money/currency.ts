/**
 * ISO 4217 currencies and their minor units. Rounding a payout line needs the minor
 * unit of its currency; an unknown code is an input error, not a default of 2.
 */
export type CurrencyCode = string & { readonly __brand: 'CurrencyCode' };

const MINOR_UNITS: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2,
  HUF: 2, RON: 2, BGN: 2, ILS: 2, TRY: 2, ZAR: 2, BRL: 2, MXN: 2, ARS: 2, COP: 2, PEN: 2, INR: 2,
  SGD: 2, HKD: 2, CNY: 2, TWD: 2, THB: 2, MYR: 2, PHP: 2, IDR: 2, AED: 2, SAR: 2, QAR: 2, EGP: 2,
  NGN: 2, KES: 2, UAH: 2, RUB: 2,
  JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0,
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3,
};

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(MINOR_UNITS, code) && code.length === 3;
}

/** One string per known code: every record's currency is then the same string, which compares without reading its characters. */
const CANONICAL = new Map<string, CurrencyCode>(Object.keys(MINOR_UNITS).filter((c) => c.length === 3).map((c) => [c, c as CurrencyCode]));

export function parseCurrency(code: string): CurrencyCode | undefined {
  return CANONICAL.get(code.trim().toUpperCase());
}

export function minorUnits(currency: CurrencyCode): number {
  const units = MINOR_UNITS[currency];
  if (units === undefined) throw new Error(`Unknown currency ${currency}: it passed parsing, so this is a bug`);
  return units;
}

export const KNOWN_CURRENCIES: readonly string[] = Object.keys(MINOR_UNITS).filter((c) => c.length === 3);
