import type { SalesforceSession } from './session.js';
import { classifySalesforceError, type SalesforceFailure } from './errors.js';
import type { SfRow } from './mapping.js';

/**
 * Query paging done by hand: the first page from /query (or /queryAll), every next page by
 * GET of exactly the nextRecordsUrl Salesforce returned. jsforce's Query would cap at
 * maxFetch (10,000 by default) and rebuilds the locator URL with the connection's version;
 * here each page is a separate call the sync can checkpoint.
 */
export interface QueryPage<T = SfRow> {
  readonly totalSize: number;
  readonly done: boolean;
  readonly records: T[];
  readonly nextRecordsUrl?: string;
}

/** 2,000 is the documented maximum; Salesforce may still return fewer (long text fields, complex rows). */
const QUERY_OPTIONS = { 'Sforce-Query-Options': 'batchSize=2000' };

export async function queryFirstPage<T = SfRow>(s: SalesforceSession, soql: string, options: { all?: boolean } = {}): Promise<QueryPage<T>> {
  s.assertBudget();
  const page = await s.conn.request<QueryPage<T>>({ method: 'GET', url: `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, headers: QUERY_OPTIONS });
  return stripAttributes(page);
}

export async function queryNextPage<T = SfRow>(s: SalesforceSession, nextRecordsUrl: string): Promise<QueryPage<T>> {
  s.assertBudget();
  return stripAttributes(await s.conn.request<QueryPage<T>>({ method: 'GET', url: nextRecordsUrl, headers: QUERY_OPTIONS }));
}

/** Every row of a small query (users, stages, currencies), page by page. */
export async function queryAllRows<T = SfRow>(s: SalesforceSession, soql: string, options: { all?: boolean } = {}): Promise<T[]> {
  let page = await queryFirstPage<T>(s, soql, options);
  const rows = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    page = await queryNextPage<T>(s, page.nextRecordsUrl);
    rows.push(...page.records);
  }
  return rows;
}

function stripAttributes<T>(page: QueryPage<T>): QueryPage<T> {
  for (const r of page.records as Array<Record<string, unknown>>) delete r['attributes'];
  return page;
}

export interface DescribedField {
  readonly name: string;
  readonly externalId?: boolean;
  readonly filterable?: boolean;
}

/** The fields the integration user can see on an object, or undefined when the object isn't there (feature off, no access). */
export async function describeObject(s: SalesforceSession, object: string): Promise<Map<string, DescribedField> | undefined> {
  s.assertBudget();
  try {
    const d = await s.conn.request<{ fields: DescribedField[] }>(`/sobjects/${object}/describe`);
    return new Map(d.fields.map((f) => [f.name, f]));
  } catch (err) {
    if (isFailure(err, 'missing-access')) return undefined;
    throw err;
  }
}

export async function describeFields(s: SalesforceSession, object: string): Promise<Set<string> | undefined> {
  const fields = await describeObject(s, object);
  return fields ? new Set(fields.keys()) : undefined;
}

export function isFailure(err: unknown, kind: SalesforceFailure): boolean {
  return classifySalesforceError(err) === kind;
}

/** SOQL datetime literal (seconds precision, floored: a tie inside the floored second is re-read, never skipped). */
export function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Record ids only ever contain [0-9A-Za-z]; anything else is refused rather than quoted into SOQL. */
export function soqlIdList(ids: readonly string[]): string {
  for (const id of ids) if (!/^[0-9A-Za-z]{15,18}$/.test(id)) throw new Error(`"${id}" is not a Salesforce record id`);
  return `(${ids.map((id) => `'${id}'`).join(',')})`;
}

/**
 * IN lists are chunked so the GET URL stays far below Salesforce's ~16 KB URI limit
 * (400 ids × 21 characters ≈ 8.4 KB before encoding).
 */
export const IN_CHUNK = 400;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function modstampMs(row: Record<string, unknown>): number {
  const text = String(row['SystemModstamp'] ?? '');
  const ms = Date.parse(text.replace(/\+0000$/, 'Z'));
  return Number.isFinite(ms) ? ms : 0;
}
