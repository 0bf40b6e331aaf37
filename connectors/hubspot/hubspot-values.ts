import { parseDecimal, type Decimal } from '../../shared/src/money/decimal.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';

/** A CRM object as the SDK returns it from list, search and batch reads. */
export interface HsObject {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null | undefined>>;
  readonly updatedAt?: Date | string | undefined;
  readonly createdAt?: Date | string | undefined;
  readonly archived?: boolean | undefined;
  readonly archivedAt?: Date | string | undefined;
}

export type Mapped<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/**
 * Parses a number property exactly (never through a JS number). Empty means absent.
 * HubSpot number properties are strings ("1200.5"); a thousands separator or an exponent
 * means a number typed into a text property, which parseDecimal refuses rather than guesses at.
 */
export function parseNumber(value: string | null | undefined): Decimal | undefined | 'invalid' {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  return parseDecimal(value) ?? 'invalid';
}

/**
 * Milliseconds since the epoch of a datetime property. HubSpot sends datetimes as ISO
 * strings from the v3 APIs, but older properties and webhook values carry epoch ms.
 */
export function parseInstant(value: string | Date | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d{10,16}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The UTC calendar date of a datetime (HubSpot's date pickers store midnight UTC). */
export function utcDate(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10) as IsoDate;
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** The object's modification time: hs_lastmodifieddate, else the envelope's updatedAt. */
export function modifiedAtMs(o: HsObject): number | undefined {
  return parseInstant(o.properties['hs_lastmodifieddate'] ?? undefined) ?? parseInstant(o.updatedAt);
}
