import { z } from 'zod';
import { parseDecimal, type Decimal } from '../money/decimal.js';
import { parseCurrency, type CurrencyCode } from '../money/currency.js';
import { parseIsoDate, dateOf, type IsoDate } from '../time/iso-date.js';
import { withFix } from './input-error.js';

/**
 * Field parsers shared by every document we read (plans, data files, quota imports), so
 * "12.50" means the same thing everywhere and every mistake gets the same wording.
 */

/** Money and rates: decimal strings. JSON numbers are accepted only when they are whole and exact. */
export const decimalField = z.union([z.string(), z.number()]).transform((value, ctx): Decimal => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return parseDecimal(String(value))!;
    ctx.addIssue({ code: 'custom', message: withFix(`${value} is a floating-point number, which cannot hold money exactly`, `write it as a string, e.g. "${value}"`) });
    return z.NEVER;
  }
  const parsed = parseDecimal(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: withFix(`"${value}" is not a decimal number`, 'write digits with an optional "." and no thousands separators, e.g. "12500.00"') });
    return z.NEVER;
  }
  return parsed;
});

export const nonNegativeDecimal = decimalField.refine((d) => !d.isNegative(), { message: withFix('must not be negative', 'use zero or a positive number') });
export const positiveDecimal = decimalField.refine((d) => d.greaterThan(0), { message: withFix('must be greater than zero', 'use a positive number') });

/** Percentages are written as in plan documents: "50" means 50 %. */
export const percentField = nonNegativeDecimal;

export const currencyField = z.string().transform((value, ctx): CurrencyCode => {
  const code = parseCurrency(value);
  if (!code) {
    ctx.addIssue({ code: 'custom', message: withFix(`"${value}" is not a supported ISO 4217 currency code`, 'use a three-letter code such as USD, EUR, GBP or JPY') });
    return z.NEVER;
  }
  return code;
});

export const dateField = z.string().transform((value, ctx): IsoDate => {
  const date = parseIsoDate(value);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: withFix(`"${value}" is not a calendar date`, 'write it as YYYY-MM-DD, e.g. "2026-07-31"') });
    return z.NEVER;
  }
  return date;
});

/** Accepts a date or a timestamp and keeps the (UTC) calendar date. */
export const dateOrTimestampField = z.string().transform((value, ctx): IsoDate => {
  const date = dateOf(value);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: withFix(`"${value}" is not a date or ISO timestamp`, 'write YYYY-MM-DD or an ISO 8601 timestamp such as "2026-07-31T14:00:00Z"') });
    return z.NEVER;
  }
  return date;
});

export const idField = z.string().trim().min(1, { message: withFix('must not be empty', 'give the record an id') });
