import { parseDecimal, type Decimal } from '../money/decimal.js';
import { parseCurrency, type CurrencyCode } from '../money/currency.js';
import { ACTIVITY_STATUSES, ACTIVITY_TYPES, type ActivityStatus, type ActivityType } from '../domain/activities.js';
import { SPLIT_TYPES, type SplitType } from '../domain/deals.js';
import { dateOf, type IsoDate } from '../time/iso-date.js';

/**
 * Deals and activities in their usual, valid form, read without zod.
 *
 * A data file holds up to millions of them, and zod's generic pipeline (a transform per
 * field) dominated reading one. Each reader here accepts exactly the records the schema
 * in dataset.schema.ts accepts in their plain form and returns the same values; for
 * anything else — a missing or extra field, a wrong type, a value the schema would
 * reject, an object that is not a plain one — it returns undefined, and the caller lets
 * zod read the whole document, so every error is reported by the schema, word for word.
 */

/** A deal as the schema outputs it. */
export interface DealFields {
  readonly id: string;
  readonly name: string;
  readonly pipelineId: string;
  readonly stageId: string;
  readonly amount: Decimal;
  readonly currency: CurrencyCode;
  readonly closeDate: IsoDate;
  readonly createdDate: IsoDate;
  readonly ownerId: string;
  readonly splits: readonly { readonly userId: string; readonly type: SplitType; readonly percent: Decimal }[];
  readonly properties: Record<string, string>;
  readonly stageHistory: readonly { readonly stageId: string; readonly enteredAt: IsoDate }[];
  readonly sourceVersion: string;
}

/** An activity as the schema outputs it. */
export interface ActivityFields {
  readonly id: string;
  readonly type: ActivityType;
  readonly status: ActivityStatus;
  readonly userId: string;
  readonly dealId: string | undefined;
  readonly occurredAt: IsoDate;
}

// The fields each schema knows, as predicates (comparing a key to a few literals is cheaper than a set look-up).
const DEAL_KEYS = (key: string): boolean => {
  switch (key) {
    case 'id':
    case 'name':
    case 'pipelineId':
    case 'stageId':
    case 'amount':
    case 'currency':
    case 'closeDate':
    case 'createdDate':
    case 'ownerId':
    case 'splits':
    case 'properties':
    case 'stageHistory':
    case 'sourceVersion':
      return true;
    default:
      return false;
  }
};
const SPLIT_KEYS = (key: string): boolean => key === 'userId' || key === 'type' || key === 'percent';
const STAGE_CHANGE_KEYS = (key: string): boolean => key === 'stageId' || key === 'enteredAt';
const ACTIVITY_KEYS = (key: string): boolean => key === 'id' || key === 'type' || key === 'status' || key === 'userId' || key === 'dealId' || key === 'occurredAt';
const SPLIT_TYPE_SET: ReadonlySet<unknown> = new Set(SPLIT_TYPES);
const ACTIVITY_TYPE_SET: ReadonlySet<unknown> = new Set(ACTIVITY_TYPES);
const ACTIVITY_STATUS_SET: ReadonlySet<unknown> = new Set(ACTIVITY_STATUSES);

type Fields = Record<string, unknown>;

/** A plain object (from JSON or a literal) whose own keys are all among `keys`. */
function plainWithKeys(value: unknown, known: (key: string) => boolean): Fields | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  for (const key in value) if (!known(key)) return undefined;
  return value as Fields;
}

/** idField: a string, trimmed, not empty. */
function id(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** decimalField: a decimal string, or a whole number that is exact. */
function decimal(value: unknown): Decimal | undefined {
  if (typeof value === 'string') return parseDecimal(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return parseDecimal(String(value));
  return undefined;
}

/** dateOrTimestampField. */
function dateOrTimestamp(value: unknown): IsoDate | undefined {
  return typeof value === 'string' ? dateOf(value) : undefined;
}

/** A string with a default: undefined when the value is neither absent nor a string. */
function stringOr(value: unknown, fallback: string): string | undefined {
  return value === undefined ? fallback : typeof value === 'string' ? value : undefined;
}

/**
 * Record parts that repeat across a large file are shared rather than copied: no splits,
 * and stage changes (a stage entered on a date). They are frozen, as everything read from
 * a file is meant to be read-only; sharing keeps a million-deal dataset about a fifth
 * smaller, and quicker for the garbage collector to walk.
 */
const NO_SPLITS: DealFields['splits'] = Object.freeze([]);
const stageChanges = new Map<string, Map<IsoDate, DealFields['stageHistory'][number]>>();

function stageChange(stageId: string, enteredAt: IsoDate): DealFields['stageHistory'][number] {
  let byDate = stageChanges.get(stageId);
  if (!byDate) {
    // Stage ids and dates come from documents people write: a bound keeps a long-lived process from collecting them forever.
    if (stageChanges.size >= 10_000) stageChanges.clear();
    stageChanges.set(stageId, (byDate = new Map()));
  }
  let change = byDate.get(enteredAt);
  if (!change) byDate.set(enteredAt, (change = Object.freeze({ stageId, enteredAt })));
  return change;
}

function splits(value: unknown): DealFields['splits'] | undefined {
  if (value === undefined) return NO_SPLITS;
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return NO_SPLITS;
  const out: { userId: string; type: SplitType; percent: Decimal }[] = [];
  for (const item of value) {
    const split = plainWithKeys(item, SPLIT_KEYS);
    if (!split) return undefined;
    const userId = id(split['userId']);
    const percent = decimal(split['percent']);
    if (userId === undefined || !SPLIT_TYPE_SET.has(split['type']) || percent === undefined || percent.isNegative()) return undefined;
    out.push({ userId, type: split['type'] as SplitType, percent });
  }
  return out;
}

/** z.record(z.string(), z.string()): a fresh object with the same string entries (a `__proto__` key is dropped, as zod drops it). */
function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    const entry = (value as Fields)[key];
    if (typeof entry !== 'string') return undefined;
    out[key] = entry;
  }
  return out;
}

function stageHistory(value: unknown): DealFields['stageHistory'] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const out: { stageId: string; enteredAt: IsoDate }[] = [];
  for (const item of value) {
    const change = plainWithKeys(item, STAGE_CHANGE_KEYS);
    if (!change) return undefined;
    const stageId = id(change['stageId']);
    const enteredAt = dateOrTimestamp(change['enteredAt']);
    if (stageId === undefined || enteredAt === undefined) return undefined;
    out.push(stageChange(stageId, enteredAt));
  }
  return out;
}

/** A deal the schema would accept, read as the schema reads it; undefined for anything else. */
export function readDeal(value: unknown): DealFields | undefined {
  const d = plainWithKeys(value, DEAL_KEYS);
  if (!d) return undefined;
  const dealId = id(d['id']);
  const name = stringOr(d['name'], '');
  const pipelineId = id(d['pipelineId']);
  const stageId = id(d['stageId']);
  const amount = decimal(d['amount']);
  const currency = typeof d['currency'] === 'string' ? parseCurrency(d['currency']) : undefined;
  const closeDate = dateOrTimestamp(d['closeDate']);
  const createdDate = dateOrTimestamp(d['createdDate']);
  const ownerId = id(d['ownerId']);
  const dealSplits = splits(d['splits']);
  const properties = stringRecord(d['properties']);
  const history = stageHistory(d['stageHistory']);
  const sourceVersion = stringOr(d['sourceVersion'], '');
  if (
    dealId === undefined ||
    name === undefined ||
    pipelineId === undefined ||
    stageId === undefined ||
    amount === undefined ||
    currency === undefined ||
    closeDate === undefined ||
    createdDate === undefined ||
    ownerId === undefined ||
    dealSplits === undefined ||
    properties === undefined ||
    history === undefined ||
    sourceVersion === undefined
  ) {
    return undefined;
  }
  return { id: dealId, name, pipelineId, stageId, amount, currency, closeDate, createdDate, ownerId, splits: dealSplits, properties, stageHistory: history, sourceVersion };
}

/** An activity the schema would accept, read as the schema reads it; undefined for anything else. */
export function readActivity(value: unknown): ActivityFields | undefined {
  const a = plainWithKeys(value, ACTIVITY_KEYS);
  if (!a) return undefined;
  const activityId = id(a['id']);
  const status = a['status'] === undefined ? 'completed' : a['status'];
  const userId = id(a['userId']);
  const dealId = a['dealId'] === undefined ? undefined : id(a['dealId']);
  const occurredAt = dateOrTimestamp(a['occurredAt']);
  if (activityId === undefined || !ACTIVITY_TYPE_SET.has(a['type']) || !ACTIVITY_STATUS_SET.has(status) || userId === undefined || (a['dealId'] !== undefined && dealId === undefined) || occurredAt === undefined) return undefined;
  return { id: activityId, type: a['type'] as ActivityType, status: status as ActivityStatus, userId, dealId, occurredAt };
}

/** Reads every record of a list with `read`; undefined as soon as one is not in the plain valid form (or the list is not an array). */
export function readAll<T>(list: unknown, read: (value: unknown) => T | undefined): T[] | undefined {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  const out: T[] = [];
  for (const value of list) {
    const record = read(value);
    if (record === undefined) return undefined;
    out.push(record);
  }
  return out;
}
