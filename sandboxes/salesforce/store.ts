import { randomBytes } from 'node:crypto';
import { Decimal } from '../../shared/src/money/decimal.js';
import { KEY_PREFIX, salesforceId } from './ids.js';
import { CDC_OBJECTS, objectNamed, type FieldDef, type ObjectDef } from './schema.js';

/**
 * In-memory records of one org. Values are stored the way they compare, compactly:
 * datetimes as epoch milliseconds, dates as "YYYY-MM-DD", money/percent/double as exact
 * decimal strings (never floats), ints as numbers. Every record of an object is created
 * with the same field order, so V8 gives them one hidden class.
 */
export type Value = string | number | boolean | null;
export type SObjectRecord = Record<string, Value>;

export interface Table {
  readonly def: ObjectDef;
  readonly rows: SObjectRecord[];
  readonly byId: Map<string, SObjectRecord>;
  /** Builds a record with every field, in schema order, as one object literal (one V8 shape, no dictionary mode). */
  readonly make: (values: Readonly<SObjectRecord>) => SObjectRecord;
}

function recordFactory(def: ObjectDef): (values: Readonly<SObjectRecord>) => SObjectRecord {
  const body = def.fields.map((f) => `${JSON.stringify(f.name)}: v[${JSON.stringify(f.name)}] ?? ${f.type === 'boolean' ? 'false' : 'null'}`).join(',\n');
  // Field names come from the static schema, never from input.
  return new Function('v', `return {\n${body}\n};`) as (values: Readonly<SObjectRecord>) => SObjectRecord;
}

export interface DeletedEntry {
  readonly id: string;
  readonly deletedDate: number;
}

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

/** One committed change, the raw material of a Change Data Capture event. */
export interface ChangeRecord {
  readonly entityName: string;
  readonly changeType: ChangeType;
  readonly recordId: string;
  readonly changedFields: readonly string[];
  /** The record after the change (before it, for DELETE). */
  readonly record: SObjectRecord;
  readonly commitTimestamp: number;
  readonly commitUser: string;
  readonly transactionKey: string;
  readonly sequenceNumber: number;
}

export class RecordError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly fields: readonly string[] = [],
    readonly status = 400,
  ) {
    super(message);
  }
}

const ROUND_HALF_UP = Decimal.ROUND_HALF_UP;

/** A decimal string as an integer count of 10^-scale units, when that is exact in a double; else undefined. */
function scaledInteger(text: string, scale: number): number | undefined {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m || (m[2] ?? '').length > scale) return undefined;
  return Number(m[1]) * 10 ** scale + Number((m[2] ?? '').padEnd(scale, '0'));
}

/** Amount × percent / 100 to the cent, as Salesforce computes SplitAmount and ExpectedRevenue (half up). */
export function percentOf(amount: Value, percent: Value): string | null {
  if (amount === null || percent === null) return null;
  // Fast exact path in integer minor units: cents × hundredths of a percent stays below 2^53
  // (≤ 10^11 × 10^5), and the division by 10^4 rounds half up on integers.
  const cents = scaledInteger(String(amount), 2);
  const hundredths = scaledInteger(String(percent), 2);
  if (cents !== undefined && hundredths !== undefined) {
    const rounded = Math.floor((cents * hundredths + 5000) / 10000);
    const text = String(rounded).padStart(3, '0');
    return `${text.slice(0, -2)}.${text.slice(-2)}`;
  }
  return new Decimal(String(amount)).times(String(percent)).dividedBy(100).toDecimalPlaces(2, ROUND_HALF_UP).toFixed(2);
}

export class SalesforceOrg {
  readonly tables = new Map<string, Table>();
  readonly deleteLog = new Map<string, DeletedEntry[]>();
  /** When each object's delete log was last purged (getDeleted's earliestDateAvailable). */
  readonly deleteLogPurgedAt = new Map<string, number>();
  /** Counters per key prefix: objects that share a prefix never share an id. */
  private readonly counters = new Map<string, number>();
  private readonly listeners = new Set<(change: ChangeRecord) => void>();
  private commitNumber = 0;
  /** The org's clock; tests move it to exercise replication windows. */
  now: () => number = () => Date.now();
  /**
   * Fields the API user cannot see (an admin revoked field-level security, or a package that
   * added them was removed), as "Object.Field" in lower case. Describe leaves them out, and
   * SOQL and API writes naming them answer INVALID_FIELD, as for a field that does not exist.
   * Sandbox writes (`mutations`, seeding) are not affected. See hideField.
   */
  private readonly hiddenFields = new Set<string>();

  constructor(
    readonly orgId: string,
    readonly name: string,
    readonly corporateCurrency: string,
    /** The user every API session runs as (the integration user the admin authorised). */
    public integrationUserId = '',
  ) {
    for (const name of ['Organization', 'User', 'UserRole', 'RecordType', 'OpportunityStage', 'Opportunity', 'OpportunitySplitType', 'OpportunitySplit', 'Task', 'Event', 'CurrencyType', 'DatedConversionRate', 'ForecastingType', 'ForecastingQuota']) {
      const def = objectNamed(name)!;
      this.tables.set(name, { def, rows: [], byId: new Map(), make: recordFactory(def) });
    }
  }

  /** Revokes the API user's access to a field (field-level security); `hidden` false grants it back. */
  hideField(objectName: string, fieldName: string, hidden = true): void {
    const key = `${objectName}.${fieldName}`.toLowerCase();
    if (hidden) this.hiddenFields.add(key);
    else this.hiddenFields.delete(key);
  }

  isFieldHidden(objectName: string, fieldName: string): boolean {
    return this.hiddenFields.size > 0 && this.hiddenFields.has(`${objectName}.${fieldName}`.toLowerCase());
  }

  table(objectName: string): Table {
    const table = this.tables.get(objectName);
    if (!table) throw new RecordError('INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
    return table;
  }

  nextId(objectName: string): string {
    const prefix = (KEY_PREFIX as Record<string, string>)[objectName] ?? this.table(objectName).def.keyPrefix;
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return salesforceId(prefix, n);
  }

  /** Finds a record of any object by id (the key prefix names the object). */
  find(id: string): { table: Table; record: SObjectRecord } | undefined {
    for (const table of this.tables.values()) {
      if (table.def.keyPrefix !== id.slice(0, 3)) continue;
      const record = table.byId.get(id);
      if (record) return { table, record };
    }
    return undefined;
  }

  onChange(listener: (change: ChangeRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds a record as seeding does: no audit stamping, no events. `values` must already be
   * in storage form; missing fields are null (booleans false).
   */
  load(objectName: string, values: SObjectRecord): SObjectRecord {
    const table = this.table(objectName);
    const record = table.make(values);
    const id = record['Id'];
    if (typeof id !== 'string') throw new Error(`${objectName} record without Id`);
    table.rows.push(record);
    table.byId.set(id, record);
    return record;
  }

  logDeletion(objectName: string, id: string, at: number): void {
    let log = this.deleteLog.get(objectName);
    if (!log) this.deleteLog.set(objectName, (log = []));
    log.push({ id, deletedDate: at });
  }

  // ---- Writes with Salesforce's side effects (audit fields, derived fields, CDC) ----------

  /** A transaction: every change inside shares a transaction key and commit timestamp. */
  transaction<T>(userId: string, body: (tx: Transaction) => T): T {
    const tx = new Transaction(this, userId || this.integrationUserId);
    const result = body(tx);
    for (const change of tx.changes) for (const listener of this.listeners) listener(change);
    return result;
  }

  nextCommitNumber(): number {
    return ++this.commitNumber;
  }
}

export class Transaction {
  readonly changes: ChangeRecord[] = [];
  readonly at: number;
  readonly key = randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  private sequence = 0;

  constructor(
    readonly org: SalesforceOrg,
    readonly userId: string,
  ) {
    // Salesforce timestamps have whole milliseconds.
    this.at = Math.floor(org.now());
  }

  insert(objectName: string, input: Readonly<Record<string, unknown>>): SObjectRecord {
    const table = this.org.table(objectName);
    const values = coerceInput(table.def, input, 'create');
    const id = this.org.nextId(objectName);
    const record = this.org.load(objectName, { ...values, Id: id, CreatedDate: this.at, CreatedById: this.userId, LastModifiedDate: this.at, LastModifiedById: this.userId, SystemModstamp: this.at });
    applyDefaults(this.org, objectName, record, this.at);
    derive(this.org, objectName, record, Object.keys(values), this.at);
    this.record(objectName, 'CREATE', record, []);
    if (objectName === 'Opportunity') {
      // Team selling: a new opportunity starts with its owner at 100 % of the Revenue split type.
      const revenue = this.org.table('OpportunitySplitType').rows.find((t) => t['DeveloperName'] === 'Revenue' && t['IsActive'] === true);
      if (revenue) this.insert('OpportunitySplit', { OpportunityId: id, SplitOwnerId: record['OwnerId'], SplitPercentage: '100', SplitTypeId: revenue['Id'] });
    }
    return record;
  }

  update(objectName: string, id: string, input: Readonly<Record<string, unknown>>): SObjectRecord {
    const table = this.org.table(objectName);
    const record = table.byId.get(id);
    if (!record || record['IsDeleted'] === true) throw new RecordError('ENTITY_IS_DELETED', `entity is deleted or does not exist: ${id}`, [], 404);
    const values = coerceInput(table.def, input, 'update');
    const previousOwner = record['OwnerId'];
    const changed: string[] = [];
    for (const [field, value] of Object.entries(values)) {
      if (record[field] !== value) {
        record[field] = value;
        changed.push(field);
      }
    }
    if (changed.length === 0) return record;
    changed.push(...derive(this.org, objectName, record, changed, this.at));
    if (objectName === 'Opportunity' && changed.includes('OwnerId')) {
      // The new owner takes over the previous owner's split rows.
      for (const split of this.org.table('OpportunitySplit').rows) {
        if (split['OpportunityId'] !== id || split['IsDeleted'] === true || split['SplitOwnerId'] !== previousOwner) continue;
        split['SplitOwnerId'] = record['OwnerId']!;
        this.touch(split);
      }
    }
    this.touch(record);
    changed.push('LastModifiedDate');
    this.record(objectName, 'UPDATE', record, [...new Set(changed)]);
    return record;
  }

  softDelete(objectName: string, id: string): void {
    const table = this.org.table(objectName);
    const record = table.byId.get(id);
    if (!record || record['IsDeleted'] === true) throw new RecordError('ENTITY_IS_DELETED', `entity is deleted: ${id}`, [], 404);
    if (!table.def.softDeletes) throw new RecordError('INVALID_OPERATION', `${objectName} records cannot be deleted`);
    record['IsDeleted'] = true;
    this.touch(record);
    this.org.logDeletion(objectName, id, this.at);
    this.record(objectName, 'DELETE', record, []);
    // Deleting an opportunity deletes its splits and activities with it (they go to the
    // Recycle Bin together and come back together).
    if (objectName === 'Opportunity') {
      for (const child of children(this.org, id)) if (child.record['IsDeleted'] !== true) this.softDelete(child.object, child.record['Id'] as string);
    }
  }

  undelete(objectName: string, id: string): void {
    const table = this.org.table(objectName);
    const record = table.byId.get(id);
    if (!record) throw new RecordError('INVALID_ID_FIELD', `invalid record id: ${id}`, [], 404);
    if (record['IsDeleted'] !== true) throw new RecordError('UNDELETE_FAILED', `entity is not in the recycle bin: ${id}`);
    record['IsDeleted'] = false;
    this.touch(record);
    const log = this.org.deleteLog.get(objectName);
    if (log) {
      const i = log.findIndex((e) => e.id === id);
      if (i >= 0) log.splice(i, 1);
    }
    this.record(objectName, 'UNDELETE', record, []);
    if (objectName === 'Opportunity') {
      for (const child of children(this.org, id)) if (child.record['IsDeleted'] === true) this.undelete(child.object, child.record['Id'] as string);
    }
  }

  private touch(record: SObjectRecord): void {
    record['LastModifiedDate'] = this.at;
    record['LastModifiedById'] = this.userId;
    record['SystemModstamp'] = this.at;
  }

  private record(objectName: string, changeType: ChangeType, record: SObjectRecord, changedFields: readonly string[]): void {
    if (!CDC_OBJECTS.has(objectName)) return;
    this.changes.push({
      entityName: objectName,
      changeType,
      recordId: record['Id'] as string,
      changedFields,
      record: { ...record },
      commitTimestamp: this.at,
      commitUser: this.userId,
      transactionKey: this.key,
      sequenceNumber: ++this.sequence,
      // commitNumber is assigned at delivery, see cdc.ts
    });
  }
}

function children(org: SalesforceOrg, opportunityId: string): { object: string; record: SObjectRecord }[] {
  const out: { object: string; record: SObjectRecord }[] = [];
  for (const record of org.table('OpportunitySplit').rows) if (record['OpportunityId'] === opportunityId) out.push({ object: 'OpportunitySplit', record });
  for (const object of ['Task', 'Event']) for (const record of org.table(object).rows) if (record['WhatId'] === opportunityId) out.push({ object, record });
  return out;
}

/** Input JSON (as the REST API accepts it) → storage form, with Salesforce's field errors. */
export function coerceInput(def: ObjectDef, input: Readonly<Record<string, unknown>>, mode: 'create' | 'update'): SObjectRecord {
  const out: SObjectRecord = {};
  for (const [name, raw] of Object.entries(input)) {
    if (name === 'attributes') continue;
    const field = def.fieldByName.get(name.toLowerCase());
    if (!field) throw new RecordError('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, [name]);
    if (!(mode === 'create' ? field.createable : field.updateable)) throw new RecordError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [field.name]);
    out[field.name] = coerceValue(field, raw);
  }
  return out;
}

function coerceValue(field: FieldDef, raw: unknown): Value {
  if (raw === null || raw === undefined || raw === '') {
    if (field.type === 'boolean') return false;
    return null;
  }
  const bad = (): never => {
    throw new RecordError('JSON_PARSER_ERROR', `Cannot deserialize instance of ${field.type} from value ${JSON.stringify(raw)} for field ${field.name}`, [field.name]);
  };
  switch (field.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : bad();
    case 'int':
      return typeof raw === 'number' && Number.isInteger(raw) ? raw : bad();
    case 'currency':
    case 'double':
    case 'percent': {
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : bad();
      if (!/^-?\d+(\.\d+)?$/.test(text)) bad();
      return text;
    }
    case 'date': {
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return bad();
      return raw;
    }
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      return ms ?? bad();
    }
    default:
      return typeof raw === 'string' ? raw : bad();
  }
}

/** "2026-01-01T00:00:00.000+0000", "...Z", "...+02:00" → epoch ms. */
export function parseDateTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) return undefined;
  const zone = m[4] === 'Z' ? 'Z' : `${m[4]!.slice(0, 3)}:${m[4]!.slice(-2)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Salesforce's REST datetime form: "2026-01-01T00:00:00.000+0000". */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function applyDefaults(org: SalesforceOrg, objectName: string, record: SObjectRecord, at: number): void {
  if ('OwnerId' in record && record['OwnerId'] === null) record['OwnerId'] = record['CreatedById'] as string;
  if ('CurrencyIsoCode' in record && record['CurrencyIsoCode'] === null) record['CurrencyIsoCode'] = org.corporateCurrency;
  if (objectName === 'Task') {
    record['Status'] ??= 'Not Started';
    record['Priority'] ??= 'Normal';
    record['TaskSubtype'] ??= 'Task';
    record['IsClosed'] = record['Status'] === 'Completed' || record['Status'] === 'Deferred';
    if (record['Status'] === 'Completed') record['CompletedDateTime'] ??= at;
  }
  if (objectName === 'Opportunity') {
    if (record['Name'] === null) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
    if (record['StageName'] === null) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [StageName]', ['StageName']);
    if (record['CloseDate'] === null) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [CloseDate]', ['CloseDate']);
  }
}

/** Fields Salesforce derives from others; returns the derived fields that changed. */
function derive(org: SalesforceOrg, objectName: string, record: SObjectRecord, changed: readonly string[], at: number): string[] {
  const touched: string[] = [];
  const set = (field: string, value: Value): void => {
    if (record[field] !== value) {
      record[field] = value;
      touched.push(field);
    }
  };
  if (objectName === 'Opportunity') {
    if (changed.includes('StageName')) {
      const stage = org.table('OpportunityStage').rows.find((s) => s['ApiName'] === record['StageName']);
      if (!stage) throw new RecordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Stage: bad value for restricted picklist field: ${String(record['StageName'])}`, ['StageName']);
      set('IsClosed', stage['IsClosed'] as boolean);
      set('IsWon', stage['IsWon'] as boolean);
      set('ForecastCategory', stage['ForecastCategory']!);
      set('ForecastCategoryName', stage['ForecastCategoryName']!);
      if (!changed.includes('Probability')) set('Probability', stage['DefaultProbability']!);
      set('LastStageChangeDate', at);
    }
    if (changed.includes('CloseDate') && typeof record['CloseDate'] === 'string') {
      const date = record['CloseDate'];
      const fiscalStart = Number(org.table('Organization').rows[0]?.['FiscalYearStartMonth'] ?? 1);
      const month = Number(date.slice(5, 7));
      const shifted = (month - fiscalStart + 12) % 12;
      set('FiscalQuarter', Math.floor(shifted / 3) + 1);
      // Fiscal year named after the ending year (Salesforce's default naming).
      set('FiscalYear', Number(date.slice(0, 4)) + (fiscalStart > 1 && month >= fiscalStart ? 1 : 0));
    }
    if (changed.includes('Amount') || changed.includes('StageName') || changed.includes('Probability')) set('ExpectedRevenue', percentOf(record['Amount']!, record['Probability']!));
    if (changed.includes('Amount') || changed.includes('CurrencyIsoCode')) {
      for (const split of org.table('OpportunitySplit').rows) {
        if (split['OpportunityId'] !== record['Id'] || split['IsDeleted'] === true) continue;
        split['SplitAmount'] = percentOf(record['Amount']!, split['SplitPercentage']!);
        split['CurrencyIsoCode'] = record['CurrencyIsoCode']!;
        split['SystemModstamp'] = at;
      }
    }
  }
  if (objectName === 'OpportunitySplit') {
    const opp = org.table('Opportunity').byId.get(String(record['OpportunityId']));
    if (!opp) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${String(record['OpportunityId'])}`, ['OpportunityId']);
    set('SplitAmount', percentOf(opp['Amount']!, record['SplitPercentage']!));
    set('CurrencyIsoCode', opp['CurrencyIsoCode']!);
  }
  if (objectName === 'Task' && changed.includes('Status')) {
    set('IsClosed', record['Status'] === 'Completed' || record['Status'] === 'Deferred');
    if (record['Status'] === 'Completed' && record['CompletedDateTime'] === null) set('CompletedDateTime', at);
  }
  return touched;
}
