import type { Activity } from '../../shared/src/domain/activities.js';
import type { Deal, Pipeline, Split, Stage } from '../../shared/src/domain/deals.js';
import type { FxRate } from '../../shared/src/domain/fx.js';
import type { ActivityId, DealId, PipelineId, QuotaId, StageId, UserId } from '../../shared/src/domain/ids.js';
import type { ManagerLink, User } from '../../shared/src/domain/people.js';
import type { Quota } from '../../shared/src/domain/quotas.js';
import { Decimal, HUNDRED } from '../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { periodContaining, type PeriodId } from '../../shared/src/time/period.js';
import type { Versioned } from '../../worker/src/db/records.js';

/**
 * Salesforce rows → canonical records. REST returns currency and percent fields as JSON
 * numbers; `String(n)` is the shortest text that round-trips, so a value with at most 15
 * significant digits (every realistic Amount with 2 decimals) becomes its exact decimal.
 */
export type SfRow = Record<string, unknown> & { Id: string };

export function exactDecimal(value: unknown, what: string): Decimal {
  if (value === null || value === undefined || value === '') return new Decimal(0);
  const text = typeof value === 'number' ? String(value) : String(value).trim();
  if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text)) throw new Error(`${what} is "${text}", not a number`);
  return new Decimal(text);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const day = (v: unknown): IsoDate | undefined => (typeof v === 'string' && v.length >= 10 ? (v.slice(0, 10) as IsoDate) : undefined);
/** Bulk API 2.0 CSV gives "true"/"false" and "" for null; REST gives JSON. */
export const bool = (v: unknown): boolean => v === true || v === 'true';
export const isoInstant = (v: unknown): string => {
  const text = String(v ?? '');
  const ms = Date.parse(text.replace(/\+0000$/, 'Z'));
  if (!Number.isFinite(ms)) throw new Error(`"${text}" is not a Salesforce datetime`);
  return new Date(ms).toISOString();
};

/** Reporting lines have no history in Salesforce: the current ManagerId is taken as always true. */
export const MANAGER_LINKS_FROM = '1970-01-01' as IsoDate;

export function toUser(row: SfRow, home: string): Versioned<User> {
  return {
    record: {
      id: row.Id as UserId,
      name: str(row['Name']) ?? row.Id,
      email: str(row['Email']),
      active: bool(row['IsActive']),
      startDate: undefined,
      endDate: undefined,
      payCurrency: (str(row['DefaultCurrencyIsoCode']) ?? home) as CurrencyCode,
    },
    modifiedAt: isoInstant(row['SystemModstamp']),
  };
}

export function toManagerLink(row: SfRow): ManagerLink {
  return { userId: row.Id as UserId, managerId: (str(row['ManagerId']) ?? null) as UserId | null, from: MANAGER_LINKS_FROM, to: undefined };
}

export interface StageRow extends SfRow {
  MasterLabel: string;
  ApiName?: string;
  IsWon: boolean;
  IsClosed: boolean;
  DefaultProbability: number | null;
  SortOrder: number | null;
}

export function toStages(rows: readonly StageRow[]): Stage[] {
  return [...rows]
    .sort((a, b) => (a.SortOrder ?? 0) - (b.SortOrder ?? 0))
    .map((s, order) => ({
      id: s.Id as StageId,
      name: s.MasterLabel,
      order,
      probability: exactDecimal(s.DefaultProbability, `stage ${s.MasterLabel} DefaultProbability`).dividedBy(HUNDRED),
      outcome: bool(s.IsWon) ? 'won' : bool(s.IsClosed) ? 'lost' : 'open',
    }));
}

/** The single pipeline of an org without Opportunity record types. */
export const DEFAULT_PIPELINE_ID = 'default' as PipelineId;

export function toPipelines(recordTypes: readonly SfRow[], stages: readonly Stage[]): Pipeline[] {
  if (recordTypes.length === 0) return [{ id: DEFAULT_PIPELINE_ID, name: 'Opportunities', stages }];
  // Without Business Processes every record type offers the whole stage picklist.
  return recordTypes.map((rt) => ({ id: rt.Id as PipelineId, name: str(rt['Name']) ?? rt.Id, stages }));
}

const DEAL_TYPES: Readonly<Record<string, string>> = {
  'New Customer': 'new-business',
  'Existing Customer - Upgrade': 'expansion',
  'Existing Customer - Renewal': 'renewal',
};

export interface SplitTypeInfo {
  /** Split types whose total Salesforce validates to 100 % (the standard Revenue type). */
  readonly revenueTypeIds: ReadonlySet<string>;
}

export interface DealContext {
  readonly home: string;
  readonly multiCurrency: boolean;
  readonly stageIdByName: ReadonlyMap<string, string>;
  readonly splitTypes: SplitTypeInfo;
}

export interface SplitProblem {
  readonly opportunityId: string;
  readonly name: string;
  readonly total: Decimal;
}

export function toSplits(opp: SfRow, rows: readonly SfRow[], ctx: DealContext): Split[] {
  const splits: Split[] = rows.map((r) => ({
    userId: String(r['SplitOwnerId']) as UserId,
    type: ctx.splitTypes.revenueTypeIds.has(String(r['SplitTypeId'])) ? 'revenue' : 'overlay',
    percent: exactDecimal(r['SplitPercentage'], `split ${r.Id} SplitPercentage`),
  }));
  const revenue = splits.filter((s) => s.type === 'revenue');
  // Salesforce gives every opportunity a default 100 % Revenue split for its owner; the
  // canonical model says the same thing with no revenue splits at all.
  const defaultOnly = revenue.length === 1 && revenue[0]!.userId === opp['OwnerId'] && revenue[0]!.percent.equals(HUNDRED);
  const kept = defaultOnly ? splits.filter((s) => s.type !== 'revenue') : splits;
  return kept.sort((a, b) => (a.type === b.type ? (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) : a.type < b.type ? -1 : 1));
}

export function revenueSplitProblem(deal: Deal): SplitProblem | undefined {
  const revenue = deal.splits.filter((s) => s.type === 'revenue');
  if (revenue.length === 0) return undefined;
  const total = revenue.reduce((acc, s) => acc.plus(s.percent), new Decimal(0));
  return total.equals(HUNDRED) ? undefined : { opportunityId: deal.id, name: deal.name, total };
}

export function toDeal(row: SfRow, splitRows: readonly SfRow[], ctx: DealContext, deleted = false): Versioned<Deal> {
  const stageName = String(row['StageName'] ?? '');
  const properties: Record<string, string> = {};
  const type = str(row['Type']);
  if (type) properties['dealType'] = DEAL_TYPES[type] ?? type;
  const leadSource = str(row['LeadSource']);
  if (leadSource) properties['leadSource'] = leadSource;
  const productLine = str(row['Product_Line__c']);
  if (productLine) properties['productLine'] = productLine;
  const stageId = (ctx.stageIdByName.get(stageName) ?? stageName) as StageId;
  const lastStageChange = day(row['LastStageChangeDate']);
  const deal: Deal = {
    id: row.Id as DealId,
    name: str(row['Name']) ?? row.Id,
    pipelineId: (str(row['RecordTypeId']) ?? DEFAULT_PIPELINE_ID) as PipelineId,
    stageId,
    amount: exactDecimal(row['Amount'], `opportunity ${row.Id} Amount`),
    currency: ((ctx.multiCurrency ? str(row['CurrencyIsoCode']) : undefined) ?? ctx.home) as CurrencyCode,
    closeDate: day(row['CloseDate']) ?? (day(row['CreatedDate']) as IsoDate),
    createdDate: day(row['CreatedDate']) as IsoDate,
    ownerId: String(row['OwnerId']) as UserId,
    splits: toSplits(row, splitRows, ctx),
    properties,
    // OpportunityHistory is not read (one more query per page); the last stage change is.
    stageHistory: lastStageChange ? [{ stageId, enteredAt: lastStageChange }] : [],
    sourceVersion: isoInstant(row['SystemModstamp']),
  };
  return { record: deal, modifiedAt: isoInstant(row['SystemModstamp']), ...(deleted ? { deleted: true } : {}) };
}

const TASK_TYPES: Readonly<Record<string, Activity['type']>> = { Call: 'call', Email: 'email', ListEmail: 'email' };

export function toTaskActivity(row: SfRow): Versioned<Activity> {
  const status = String(row['Status'] ?? '');
  const whatId = str(row['WhatId']);
  return {
    record: {
      id: row.Id as ActivityId,
      type: TASK_TYPES[String(row['TaskSubtype'] ?? '')] ?? 'task',
      status: status === 'Completed' ? 'completed' : status === 'Deferred' ? 'canceled' : bool(row['IsClosed']) ? 'completed' : 'scheduled',
      userId: String(row['OwnerId']) as UserId,
      dealId: (whatId?.startsWith('006') ? whatId : undefined) as DealId | undefined,
      occurredAt: (day(row['ActivityDate']) ?? day(row['CompletedDateTime']) ?? day(row['CreatedDate'])) as IsoDate,
    },
    modifiedAt: isoInstant(row['SystemModstamp']),
    ...(bool(row['IsDeleted']) ? { deleted: true } : {}),
  };
}

/** Events have no status: a deleted event is a canceled meeting, one that has started is held. */
export function toEventActivity(row: SfRow, now: Date): Versioned<Activity> {
  const whatId = str(row['WhatId']);
  const start = str(row['ActivityDateTime']) ?? str(row['StartDateTime']);
  const deleted = bool(row['IsDeleted']);
  return {
    record: {
      id: row.Id as ActivityId,
      type: 'meeting',
      status: deleted ? 'canceled' : start && Date.parse(start.replace(/\+0000$/, 'Z')) > now.getTime() ? 'scheduled' : 'completed',
      userId: String(row['OwnerId']) as UserId,
      dealId: (whatId?.startsWith('006') ? whatId : undefined) as DealId | undefined,
      occurredAt: (day(row['ActivityDate']) ?? day(start)) as IsoDate,
    },
    modifiedAt: isoInstant(row['SystemModstamp']),
  };
}

/** DatedConversionRate: units of IsoCode per one unit of the corporate currency, from StartDate. */
export function toFxRate(row: SfRow, home: string): FxRate | undefined {
  const code = str(row['IsoCode']);
  if (!code || code === home) return undefined;
  return {
    from: home as CurrencyCode,
    to: code as CurrencyCode,
    rate: exactDecimal(row['ConversionRate'], `conversion rate ${code}`),
    date: (day(row['StartDate']) ?? day(row['LastModifiedDate']) ?? '1970-01-01') as IsoDate,
    source: 'salesforce',
  };
}

/**
 * ForecastingQuota rows carry a StartDate, not a period: a start in a fiscal quarter's
 * first month is read as that quarter, any other as its month (orgs with monthly
 * forecasts in those months must set the forecast period to quarterly; see BEHAVIOR.md).
 */
export function quotaPeriod(startDate: string, fiscalYearStartMonth: number): PeriodId {
  const month = Number(startDate.slice(5, 7));
  if ((month - fiscalYearStartMonth + 12) % 3 !== 0) return startDate.slice(0, 7) as PeriodId;
  return periodContaining(startDate.slice(0, 10) as IsoDate, 'quarter', { fiscalYearStartMonth, customPeriods: [] }).id;
}

export function toQuota(row: SfRow, home: string, fiscalYearStartMonth: number): Quota | undefined {
  const start = day(row['StartDate']);
  const owner = str(row['QuotaOwnerId']);
  if (!start || !owner) return undefined;
  const isAmount = row['QuotaAmount'] !== null && row['QuotaAmount'] !== undefined && row['QuotaAmount'] !== '';
  const modified = isoInstant(row['SystemModstamp']);
  return {
    id: row.Id as QuotaId,
    owner: { userId: owner as UserId },
    measure: isAmount ? { kind: 'revenue' } : { kind: 'deal-count' },
    period: quotaPeriod(start, fiscalYearStartMonth),
    target: exactDecimal(isAmount ? row['QuotaAmount'] : row['QuotaQuantity'], `quota ${row.Id}`),
    currency: isAmount ? ((str(row['CurrencyIsoCode']) ?? home) as CurrencyCode) : undefined,
    phasing: undefined,
    // Each edit of the quota is a new version, effective from the day it was made.
    version: Math.floor(Date.parse(modified) / 1000),
    effectiveFrom: modified.slice(0, 10) as IsoDate,
  };
}
