/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 characters that
 * identify the record, and — in the 18-character form the REST API returns — a 3-character
 * suffix that makes the id safe for case-insensitive tools. The suffix algorithm is the
 * documented one: for each 5-character block, a bit per upper-case letter, read as an index
 * into A–Z0–5.
 */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Pod + reserved characters shared by every id of the sandbox org ("5g0", like a real NA pod). */
const POD = '5g0';

export function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[flags];
  }
  return suffix;
}

/** The n-th id (n ≥ 1) of an object with the given key prefix, always 18 characters. */
export function salesforceId(prefix: string, n: number): string {
  if (prefix.length !== 3) throw new RangeError(`key prefix must have 3 characters, got "${prefix}"`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`record number must be a positive integer, got ${n}`);
  let digits = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) digits = BASE62[v % 62] + digits;
  const id15 = `${prefix}${POD}${digits.padStart(9, '0')}`;
  return id15 + checksumSuffix(id15);
}

/** Accepts a 15- or 18-character id and returns the 18-character form (as SOQL filters do). */
export function to18(id: string): string {
  if (id.length === 15 && /^[0-9A-Za-z]{15}$/.test(id)) return id + checksumSuffix(id);
  return id;
}

/** Key prefixes of the objects the sandbox serves (Salesforce's fixed values). */
export const KEY_PREFIX = {
  Organization: '00D',
  User: '005',
  UserRole: '00E',
  RecordType: '012',
  Opportunity: '006',
  OpportunityStage: '01J',
  OpportunitySplit: '149',
  // [unconfirmed] no authoritative list found for the split type prefix; only used as an id.
  OpportunitySplitType: '149',
  Task: '00T',
  Event: '00U',
  CurrencyType: '02c',
  DatedConversionRate: '04w',
  ForecastingQuota: '0J9',
  ForecastingType: '0Db',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;
