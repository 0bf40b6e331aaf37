import { z } from 'zod';
import { badRequest } from './errors.js';
import { parseInstant, type RecordStore } from './record-store.js';

/** HubSpot's documented search limits (changelog 2024-08-26; page size raised Sept 2024). */
export const SEARCH_LIMITS = { maxPageSize: 200, maxFilterGroups: 5, maxFiltersPerGroup: 10, maxFilters: 25, maxResults: 10_000 } as const;

const OPERATORS = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  highValue: z.union([z.string(), z.number()]).transform(String).optional(),
  values: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
type Filter = z.output<typeof filterSchema>;

const sortSchema = z.union([
  z.string().min(1).transform((s) => (s.startsWith('-') ? { propertyName: s.slice(1), descending: true } : { propertyName: s, descending: false })),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') }).transform((s) => ({ propertyName: s.propertyName, descending: s.direction === 'DESCENDING' })),
]);

export const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z.array(sortSchema).default([]),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).transform(String).optional(),
  query: z.string().optional(),
});
export type SearchRequest = z.output<typeof searchRequestSchema>;

/** Properties the free-text `query` looks in, per object type. */
const QUERY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  deals: ['dealname'],
  tasks: ['hs_task_subject'],
  calls: ['hs_call_title'],
  emails: ['hs_email_subject'],
  meetings: ['hs_meeting_title'],
  goal_targets: ['hs_goal_name'],
};

export interface SearchPage {
  readonly total: number;
  readonly indices: readonly number[];
  readonly nextAfter: string | undefined;
}

/**
 * Runs a CRM search the way HubSpot answers it: OR of filter groups, AND inside a group,
 * one sort, offset paging through `after`, and the 10,000-result window (paging to
 * `after` ≥ 10,000 is a 400, while `total` still counts every match).
 */
export class SearchEngine {
  private readonly cache = new Map<string, Int32Array>();

  /**
   * @param indexLagMs HubSpot's search index trails writes: a record changed less than this long ago is
   *   not found by search yet (list and read endpoints see it at once). 0 = immediately consistent.
   */
  constructor(private readonly indexLagMs = 0) {}

  page(store: RecordStore, request: SearchRequest): SearchPage {
    this.check(store, request);
    const offset = request.after === undefined || request.after === '' ? 0 : Number(request.after);
    if (!Number.isInteger(offset) || offset < 0) throw badRequest(`after must be a non-negative integer offset, got "${request.after}"`);
    if (offset >= SEARCH_LIMITS.maxResults) {
      throw badRequest(`Paging beyond ${SEARCH_LIMITS.maxResults} results is not supported. Narrow the query (e.g. filter on hs_lastmodifieddate or hs_object_id) instead of paging past result ${SEARCH_LIMITS.maxResults}.`, {
        context: { after: [String(offset)] },
      });
    }
    const matches = this.matches(store, request);
    const end = Math.min(offset + request.limit, matches.length, SEARCH_LIMITS.maxResults);
    const indices: number[] = [];
    for (let k = offset; k < end; k++) indices.push(matches[k]!);
    return { total: matches.length, indices, nextAfter: end < matches.length ? String(end) : undefined };
  }

  private check(store: RecordStore, request: SearchRequest): void {
    if (request.limit > SEARCH_LIMITS.maxPageSize) throw badRequest(`limit must be at most ${SEARCH_LIMITS.maxPageSize}, got ${request.limit}`);
    if (request.filterGroups.length > SEARCH_LIMITS.maxFilterGroups) throw badRequest(`Too many filter groups: ${request.filterGroups.length}; at most ${SEARCH_LIMITS.maxFilterGroups} are allowed.`);
    let total = 0;
    for (const group of request.filterGroups) {
      if (group.filters.length > SEARCH_LIMITS.maxFiltersPerGroup) throw badRequest(`Too many filters in a filter group: ${group.filters.length}; at most ${SEARCH_LIMITS.maxFiltersPerGroup} are allowed.`);
      total += group.filters.length;
      for (const f of group.filters) {
        if (!store.typeOf(f.propertyName)) throw badRequest(`Property ${f.propertyName} does not exist on ${store.objectType}.`, { subCategory: 'PROPERTY_DOESNT_EXIST' });
        const needsValue = f.operator !== 'HAS_PROPERTY' && f.operator !== 'NOT_HAS_PROPERTY';
        if (f.operator === 'IN' || f.operator === 'NOT_IN') {
          if (!f.values || f.values.length === 0) throw badRequest(`${f.operator} on ${f.propertyName} needs "values"`);
        } else if (needsValue && f.value === undefined) throw badRequest(`${f.operator} on ${f.propertyName} needs "value"`);
        if (f.operator === 'BETWEEN' && f.highValue === undefined) throw badRequest(`BETWEEN on ${f.propertyName} needs "highValue"`);
      }
    }
    if (total > SEARCH_LIMITS.maxFilters) throw badRequest(`Too many filters: ${total}; at most ${SEARCH_LIMITS.maxFilters} are allowed across all filter groups.`);
    if (request.sorts.length > 1) throw badRequest('Only one sort is supported.');
    for (const s of request.sorts) if (!store.typeOf(s.propertyName)) throw badRequest(`Property ${s.propertyName} does not exist on ${store.objectType}.`, { subCategory: 'PROPERTY_DOESNT_EXIST' });
  }

  private matches(store: RecordStore, request: SearchRequest): Int32Array {
    const key = `${store.objectType}|${store.version}|${JSON.stringify([request.filterGroups, request.sorts, request.query ?? ''])}`;
    const lagging = this.indexLagMs > 0;
    const hit = lagging ? undefined : this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const groups = request.filterGroups.map((g) => g.filters.map((f) => compile(store, f)));
    const query = request.query?.trim().toLowerCase();
    const queryProps = QUERY_PROPERTIES[store.objectType] ?? [];
    const found: number[] = [];
    const indexedUntil = lagging ? Date.now() - this.indexLagMs : Number.POSITIVE_INFINITY;
    for (let i = 0; i < store.size; i++) {
      if (store.isArchived(i) || store.updatedAt(i) > indexedUntil) continue;
      if (groups.length > 0 && !groups.some((g) => g.every((test) => test(i)))) continue;
      if (query && !queryProps.some((p) => (store.value(i, p) ?? '').toLowerCase().includes(query))) continue;
      found.push(i);
    }
    const result = Int32Array.from(found);
    const sort = request.sorts[0];
    if (sort) {
      const numeric = isNumericType(store.typeOf(sort.propertyName));
      const sign = sort.descending ? -1 : 1;
      if (numeric) {
        const keys = new Float64Array(store.size);
        for (const i of result) keys[i] = store.numeric(i, sort.propertyName) ?? Number.NaN;
        result.sort((a, b) => {
          const x = keys[a]!;
          const y = keys[b]!;
          if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a - b : Number.isNaN(x) ? 1 : -1;
          return x === y ? a - b : (x < y ? -1 : 1) * sign;
        });
      } else {
        const keys = new Map<number, string | null>();
        for (const i of result) keys.set(i, store.value(i, sort.propertyName) ?? null);
        result.sort((a, b) => {
          const x = keys.get(a) ?? null;
          const y = keys.get(b) ?? null;
          if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
          return x === y ? a - b : (x < y ? -1 : 1) * sign;
        });
      }
    }
    if (lagging) return result;
    this.cache.set(key, result);
    if (this.cache.size > 16) this.cache.delete(this.cache.keys().next().value!);
    return result;
  }
}

function isNumericType(type: string | undefined): boolean {
  return type === 'number' || type === 'datetime';
}

function compile(store: RecordStore, f: Filter): (i: number) => boolean {
  const name = f.propertyName;
  const numeric = isNumericType(store.typeOf(name));
  const datetime = store.typeOf(name) === 'datetime';
  const num = (text: string): number => {
    const v = datetime ? parseInstant(text) : Number(text);
    if (v === undefined || !Number.isFinite(v)) throw badRequest(`${text} is not a valid ${datetime ? 'datetime (epoch milliseconds or ISO 8601)' : 'number'} for ${name}`);
    return v;
  };
  const text = (i: number): string | null => {
    const v = store.value(i, name);
    return v === undefined || v === '' ? null : v;
  };
  const has = (i: number): boolean => text(i) !== null;
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return (i) => !has(i);
    case 'IN':
    case 'NOT_IN': {
      const wanted = numeric ? new Set(f.values!.map((v) => String(num(v)))) : new Set(f.values!.map((v) => v.toLowerCase()));
      const test = (i: number): boolean => {
        if (numeric) {
          const v = store.numeric(i, name);
          return v !== undefined && wanted.has(String(v));
        }
        const v = text(i);
        return v !== null && wanted.has(v.toLowerCase());
      };
      return f.operator === 'IN' ? test : (i) => !test(i);
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const token = f.value!.replace(/\*/g, '').toLowerCase();
      const test = (i: number): boolean => (text(i) ?? '').toLowerCase().includes(token);
      return f.operator === 'CONTAINS_TOKEN' ? test : (i) => !test(i);
    }
    default:
      break;
  }
  if (numeric) {
    const lo = num(f.value!);
    const hi = f.operator === 'BETWEEN' ? num(f.highValue!) : lo;
    const compare: Record<string, (v: number) => boolean> = {
      EQ: (v) => v === lo,
      NEQ: (v) => v !== lo,
      LT: (v) => v < lo,
      LTE: (v) => v <= lo,
      GT: (v) => v > lo,
      GTE: (v) => v >= lo,
      BETWEEN: (v) => v >= lo && v <= hi,
    };
    const op = compare[f.operator]!;
    return (i) => {
      const v = store.numeric(i, name);
      if (v === undefined) return f.operator === 'NEQ';
      return op(v);
    };
  }
  const lo = f.value!.toLowerCase();
  const hi = (f.highValue ?? '').toLowerCase();
  return (i) => {
    const raw = text(i);
    if (raw === null) return f.operator === 'NEQ';
    const v = raw.toLowerCase();
    switch (f.operator) {
      case 'EQ':
        return v === lo;
      case 'NEQ':
        return v !== lo;
      case 'LT':
        return v < lo;
      case 'LTE':
        return v <= lo;
      case 'GT':
        return v > lo;
      case 'GTE':
        return v >= lo;
      case 'BETWEEN':
        return v >= lo && v <= hi;
      default:
        return false;
    }
  };
}
