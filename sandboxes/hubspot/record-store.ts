import { GrowableFloat64 } from './growable.js';

/** HubSpot property types as far as filtering and sorting care. */
export type PropertyType = 'string' | 'number' | 'datetime' | 'enumeration' | 'bool';
export type PropertyValues = Record<string, string | null>;

export interface HistoryEntry {
  readonly value: string;
  readonly timestampMs: number;
  readonly sourceType: string;
}

/** Records built from the canonical dataset, asked for one property at a time (nothing is materialised up front). */
export interface SeededRecords {
  readonly count: number;
  /** The value, null when the property exists but is empty, undefined when the record type has no such property. */
  value(i: number, name: string): string | null | undefined;
  /** Oldest first. */
  history?(i: number, name: string): readonly HistoryEntry[] | undefined;
}

export interface RecordStoreOptions {
  /** The object type in URLs: deals, calls, emails, meetings, tasks, goal_targets. */
  readonly objectType: string;
  readonly properties: ReadonlyMap<string, PropertyType>;
  /** Families of properties named by a prefix, e.g. hs_date_entered_<stageId>. */
  readonly dynamicProperties?: readonly { readonly prefix: string; readonly type: PropertyType }[];
  /** What GET/search return when the caller names no properties. */
  readonly defaultProperties: readonly string[];
  /** Deals call their creation property `createdate`; most other objects `hs_createdate`. */
  readonly createdProperty: 'createdate' | 'hs_createdate';
  readonly seeded: SeededRecords;
  /** Per seeded record: [id, createdMs, updatedMs]. Ids must rise with the index. */
  readonly seededColumns: (i: number) => readonly [id: number, createdMs: number, updatedMs: number];
  /** Gap between ids handed to records created later (ids stay increasing). */
  readonly idStride?: number;
}

/**
 * One CRM object type of one portal. Seeded records stay lazy: their properties are
 * computed from the canonical record when asked; edits live in a sparse overlay. System
 * columns (id, created, last modified, archived) are typed arrays, so the hot
 * filters and sorts of incremental sync never build property objects.
 */
export class RecordStore {
  readonly objectType: string;
  private readonly ids: GrowableFloat64;
  private readonly createdMs: GrowableFloat64;
  private readonly updatedMs: GrowableFloat64;
  private readonly archivedMs: GrowableFloat64;
  private readonly overlay = new Map<number, PropertyValues>();
  private readonly addedHistory = new Map<number, Map<string, HistoryEntry[]>>();
  private readonly seededCount: number;
  /** Bumped on every change; search caches key on it. */
  version = 0;

  constructor(private readonly options: RecordStoreOptions) {
    this.objectType = options.objectType;
    const n = options.seeded.count;
    this.seededCount = n;
    this.ids = new GrowableFloat64(n + 16);
    this.createdMs = new GrowableFloat64(n + 16);
    this.updatedMs = new GrowableFloat64(n + 16);
    this.archivedMs = new GrowableFloat64(n + 16);
    let last = -1;
    for (let i = 0; i < n; i++) {
      const [id, created, updated] = options.seededColumns(i);
      if (!(id > last)) throw new Error(`${this.objectType}: seeded ids must increase (record ${i} has ${id} after ${last})`);
      last = id;
      this.ids.push(id);
      this.createdMs.push(created);
      this.updatedMs.push(updated);
      this.archivedMs.push(Number.NaN);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  get defaultProperties(): readonly string[] {
    return this.options.defaultProperties;
  }

  idAt(i: number): string {
    return String(this.ids.get(i));
  }

  numericIdAt(i: number): number {
    return this.ids.get(i);
  }

  createdAt(i: number): number {
    return this.createdMs.get(i);
  }

  updatedAt(i: number): number {
    return this.updatedMs.get(i);
  }

  isArchived(i: number): boolean {
    return !Number.isNaN(this.archivedMs.get(i));
  }

  archivedAt(i: number): number {
    return this.archivedMs.get(i);
  }

  /** Index of a record id (ids only ever increase, so a binary search does). */
  indexOf(id: string): number | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    const target = Number(id);
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.ids.get(mid);
      if (v === target) return mid;
      if (v < target) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** First index whose id is ≥ `id` (list cursors are ids). */
  lowerBound(id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ids.get(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Returned with every record whatever properties were asked for. */
  get systemProperties(): readonly string[] {
    return [this.options.createdProperty, 'hs_lastmodifieddate', 'hs_object_id'];
  }

  /** The fixed property names, system ones included (dynamic families are listed by the portal). */
  propertyNames(): string[] {
    return [...new Set(['hs_object_id', 'hs_lastmodifieddate', this.options.createdProperty, ...this.options.properties.keys()])];
  }

  typeOf(name: string): PropertyType | undefined {
    const known = this.options.properties.get(name);
    if (known) return known;
    if (name === 'hs_object_id') return 'number';
    if (name === 'hs_lastmodifieddate' || name === this.options.createdProperty) return 'datetime';
    return this.options.dynamicProperties?.find((d) => name.startsWith(d.prefix) && name.length > d.prefix.length)?.type;
  }

  /** Value of a property; undefined when this object type has no such property. */
  value(i: number, name: string): string | null | undefined {
    if (name === 'hs_object_id') return this.idAt(i);
    if (name === 'hs_lastmodifieddate') return new Date(this.updatedMs.get(i)).toISOString();
    if (name === this.options.createdProperty) return new Date(this.createdMs.get(i)).toISOString();
    const patched = this.overlay.get(i);
    if (patched && name in patched) return patched[name]!;
    const type = this.typeOf(name);
    if (!type) return undefined;
    if (i < this.seededCount) {
      const v = this.options.seeded.value(i, name);
      return v === undefined ? null : v;
    }
    return null;
  }

  /** Numeric view for number/datetime filters and sorts; the system columns skip string building. */
  numeric(i: number, name: string): number | undefined {
    if (name === 'hs_object_id') return this.ids.get(i);
    if (name === 'hs_lastmodifieddate') return this.updatedMs.get(i);
    if (name === this.options.createdProperty) return this.createdMs.get(i);
    const v = this.value(i, name);
    if (v === null || v === undefined || v === '') return undefined;
    return this.typeOf(name) === 'datetime' ? parseInstant(v) : Number(v);
  }

  properties(i: number, names: readonly string[]): PropertyValues {
    const out: PropertyValues = {};
    for (const name of names) {
      const v = this.value(i, name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** Newest first, as HubSpot lists `propertiesWithHistory`. */
  history(i: number, name: string): HistoryEntry[] {
    const seeded = i < this.seededCount ? (this.options.seeded.history?.(i, name) ?? []) : [];
    const added = this.addedHistory.get(i)?.get(name) ?? [];
    const all = [...seeded, ...added];
    if (all.length === 0) {
      const v = this.value(i, name);
      if (v !== null && v !== undefined) all.push({ value: v, timestampMs: this.createdMs.get(i), sourceType: 'CRM_UI' });
    }
    return all.reverse();
  }

  create(properties: PropertyValues, nowMs: number, sourceType = 'INTEGRATION'): number {
    const last = this.ids.length > 0 ? this.ids.get(this.ids.length - 1) : 0;
    const id = last + 1 + ((this.ids.length * 7919) % (this.options.idStride ?? 10));
    const i = this.ids.push(id);
    this.createdMs.push(nowMs);
    this.updatedMs.push(nowMs);
    this.archivedMs.push(Number.NaN);
    this.overlay.set(i, { ...properties });
    for (const [name, value] of Object.entries(properties)) if (value !== null) this.recordHistory(i, name, value, nowMs, sourceType);
    this.version++;
    return i;
  }

  /** Applies changed values; returns the names that really changed. */
  update(i: number, patch: PropertyValues, nowMs: number, sourceType = 'CRM_UI'): string[] {
    const changed: string[] = [];
    const current = this.overlay.get(i) ?? {};
    for (const [name, value] of Object.entries(patch)) {
      if (this.value(i, name) === value) continue;
      current[name] = value;
      changed.push(name);
      if (value !== null) this.recordHistory(i, name, value, nowMs, sourceType);
    }
    if (changed.length > 0) {
      this.overlay.set(i, current);
      this.updatedMs.set(i, nowMs);
      this.version++;
    }
    return changed;
  }

  archive(i: number, nowMs: number): void {
    this.archivedMs.set(i, nowMs);
    this.updatedMs.set(i, nowMs);
    this.version++;
  }

  restore(i: number, nowMs: number): void {
    this.archivedMs.set(i, Number.NaN);
    this.updatedMs.set(i, nowMs);
    this.version++;
  }

  private recordHistory(i: number, name: string, value: string, timestampMs: number, sourceType: string): void {
    let byName = this.addedHistory.get(i);
    if (!byName) this.addedHistory.set(i, (byName = new Map()));
    const list = byName.get(name) ?? [];
    list.push({ value, timestampMs, sourceType });
    byName.set(name, list);
  }
}

/** HubSpot datetime values: epoch milliseconds, ISO 8601, or a YYYY-MM-DD date (midnight UTC). */
export function parseInstant(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
