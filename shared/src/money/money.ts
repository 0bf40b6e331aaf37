import type { CurrencyCode } from './currency.js';
import { formatAmount, type RoundingMode } from './rounding.js';
import type { Decimal } from './decimal.js';

/** An amount in one currency. Arithmetic across currencies needs an FX rate (see engine/fx.ts). */
export interface Money {
  readonly amount: Decimal;
  readonly currency: CurrencyCode;
}

export function money(amount: Decimal, currency: CurrencyCode): Money {
  return { amount, currency };
}

/** "USD 1,234.50" for people (rounded by `mode`, so it shows what a line rounded that way pays); machines get `formatAmount` strings. */
export function displayMoney(m: Money, mode?: RoundingMode): string {
  const fixed = formatAmount(m.amount, m.currency, mode);
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  let grouped = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) grouped += ',';
    grouped += whole[i];
  }
  return `${negative ? '-' : ''}${m.currency} ${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
