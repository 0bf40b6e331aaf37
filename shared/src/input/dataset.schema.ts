import { z } from 'zod';
import { ONE, sum } from '../money/decimal.js';
import { ACTIVITY_STATUSES, ACTIVITY_TYPES, type Activity } from '../domain/activities.js';
import type { Dataset } from '../domain/dataset.js';
import { SPLIT_TYPES, STAGE_OUTCOMES, type Deal, type Pipeline, type Split, type StageChange } from '../domain/deals.js';
import type { FxRate } from '../domain/fx.js';
import type { ActivityId, DealId, PipelineId, QuotaId, StageId, TeamId, TenantId, UserId } from '../domain/ids.js';
import type { ManagerLink, Team, User } from '../domain/people.js';
import type { Measure, Quota } from '../domain/quotas.js';
import { resolvePeriod, type FiscalCalendar, type Period, type PeriodId } from '../time/period.js';
import { InputError, issuesFromZod, withFix, type InputIssue } from './input-error.js';
import { readActivity, readAll, readDeal } from './record-fast-path.js';
import { currencyField, dateField, dateOrTimestampField, decimalField, idField, nonNegativeDecimal, percentField, positiveDecimal } from './scalars.js';
import { SharedStrings } from './shared-strings.js';

/**
 * The canonical data file: what the connectors produce and what `spm calc --data` reads.
 * Documented in docs/data-format.md. Structure is checked by zod; references between
 * records (a deal's owner, a stage in its pipeline) are checked once the structure is
 * sound, and all problems of each pass are reported together so a file is fixed in few passes.
 */
const userSchema = z.strictObject({
  id: idField,
  name: z.string().min(1),
  email: z.string().optional(),
  active: z.boolean().default(true),
  startDate: dateField.optional(),
  endDate: dateField.optional(),
  payCurrency: currencyField.optional(),
});

const managerLinkSchema = z.strictObject({
  userId: idField,
  managerId: idField.nullable(),
  from: dateField,
  to: dateField.optional(),
});

const teamSchema = z.strictObject({
  id: idField,
  name: z.string().min(1),
  managerId: idField.optional(),
  members: z.array(z.union([idField.transform((userId) => ({ userId, from: undefined, to: undefined })), z.strictObject({ userId: idField, from: dateField.optional(), to: dateField.optional() })])),
});

const stageSchema = z.strictObject({
  id: idField,
  name: z.string().min(1),
  probability: decimalField.refine((p) => p.gte(0) && p.lte(1), { message: withFix('probability must be between 0 and 1', 'write it as a fraction, e.g. "0.4" for 40 %') }).optional(),
  outcome: z.enum(STAGE_OUTCOMES).default('open'),
});

const pipelineSchema = z.strictObject({ id: idField, name: z.string().min(1), stages: z.array(stageSchema).min(1) });

export const dealSchema = z.strictObject({
  id: idField,
  name: z.string().default(''),
  pipelineId: idField,
  stageId: idField,
  amount: decimalField,
  currency: currencyField,
  closeDate: dateOrTimestampField,
  createdDate: dateOrTimestampField,
  ownerId: idField,
  splits: z.array(z.strictObject({ userId: idField, type: z.enum(SPLIT_TYPES), percent: percentField })).default([]),
  properties: z.record(z.string(), z.string()).default({}),
  stageHistory: z.array(z.strictObject({ stageId: idField, enteredAt: dateOrTimestampField })).default([]),
  sourceVersion: z.string().default(''),
});

export const activitySchema = z.strictObject({
  id: idField,
  type: z.enum(ACTIVITY_TYPES),
  status: z.enum(ACTIVITY_STATUSES).default('completed'),
  userId: idField,
  dealId: idField.optional(),
  occurredAt: dateOrTimestampField,
});

const measureSchema = z.string().transform((text, ctx): Measure => {
  if (text === 'revenue' || text === 'deal-count') return { kind: text };
  const activity = /^activity:(\w+)$/.exec(text)?.[1];
  if (activity && (ACTIVITY_TYPES as readonly string[]).includes(activity)) return { kind: 'activity', activityType: activity as Activity['type'] };
  ctx.addIssue({ code: 'custom', message: withFix(`"${text}" is not a measure`, `use "revenue", "deal-count" or "activity:<${ACTIVITY_TYPES.join('|')}>"`) });
  return z.NEVER;
});

const quotaSchema = z.strictObject({
  id: idField,
  userId: idField.optional(),
  teamId: idField.optional(),
  measure: measureSchema.default({ kind: 'revenue' } as never),
  period: z.string().min(1),
  target: nonNegativeDecimal,
  currency: currencyField.optional(),
  phasing: z.record(z.string(), nonNegativeDecimal).optional(),
  version: z.number().int().positive().default(1),
  effectiveFrom: dateField.optional(),
});

const fxRateSchema = z.strictObject({ from: currencyField, to: currencyField, rate: positiveDecimal, date: dateField, source: z.string().min(1) });

const calendarSchema = z.strictObject({
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
  customPeriods: z.array(z.strictObject({ id: idField, start: dateField, end: dateField })).default([]),
});

export const datasetSchema = z.strictObject({
  tenant: z.strictObject({ id: idField, name: z.string().default(''), currency: currencyField }),
  calendar: calendarSchema.default({ fiscalYearStartMonth: 1, customPeriods: [] }),
  users: z.array(userSchema),
  managers: z.array(managerLinkSchema).default([]),
  teams: z.array(teamSchema).default([]),
  pipelines: z.array(pipelineSchema).min(1, { message: withFix('at least one pipeline is needed', 'list the CRM pipelines with their stages and outcomes') }),
  deals: z.array(dealSchema).default([]),
  activities: z.array(activitySchema).default([]),
  quotas: z.array(quotaSchema).default([]),
  fxRates: z.array(fxRateSchema).default([]),
});

export type RawDataset = z.input<typeof datasetSchema>;
type ParsedDataset = z.output<typeof datasetSchema>;

/** Everything but the deals and activities, which record-fast-path.ts reads (the schema above stays the reference). */
const datasetWithoutRecordsSchema = datasetSchema.extend({ deals: z.unknown(), activities: z.unknown() });

/**
 * The document as the schema reads it. Deals and activities in their plain valid form —
 * nearly every record of a large file — are read without zod; if any record is not, or
 * the rest of the document has a problem, zod reads the whole document as always, so the
 * problems reported are exactly the schema's.
 */
function readDocument(document: unknown, source: string): ParsedDataset {
  if (typeof document === 'object' && document !== null && !Array.isArray(document)) {
    const fields = document as Record<string, unknown>;
    const deals = readAll(fields['deals'], readDeal);
    const activities = deals && readAll(fields['activities'], readActivity);
    if (deals && activities) {
      const rest = datasetWithoutRecordsSchema.safeParse(document);
      if (rest.success) return { ...rest.data, deals, activities } as ParsedDataset;
    }
  }
  const parsed = datasetSchema.safeParse(document);
  if (!parsed.success) throw new InputError(source, issuesFromZod(parsed.error));
  return parsed.data;
}

/**
 * The deal ids of a file, asked in order "was deal i's id seen before?", then "is this a
 * deal id?". Files are usually exported in id order; while ids keep rising nothing can
 * repeat, so a million-entry set is only built once they stop rising (or when asked).
 */
class DealIds {
  private set: Set<string> | undefined;
  private checked = 0;

  constructor(private readonly deals: readonly { readonly id: string }[]) {}

  /** Call with i = 0, 1, 2, … in turn. */
  seenBefore(i: number): boolean {
    const id = this.deals[i]!.id;
    if (!this.set && (i === 0 || this.deals[i - 1]!.id < id)) {
      this.checked = i + 1;
      return false;
    }
    const set = this.all(i);
    const seen = set.has(id);
    set.add(id);
    this.checked = i + 1;
    return seen;
  }

  has(id: string): boolean {
    return this.all(this.checked).has(id);
  }

  /** The set of the ids before `upTo` (all of them once every deal was checked). */
  private all(upTo: number): Set<string> {
    if (!this.set) {
      this.set = new Set();
      for (let j = 0; j < upTo; j++) this.set.add(this.deals[j]!.id);
    }
    return this.set;
  }
}

/** Parses a data document (already read from JSON) into a Dataset, or throws InputError naming every problem. */
export function parseDataset(document: unknown, source = 'data'): Dataset {
  const raw = readDocument(document, source);
  const issues: InputIssue[] = [];
  const home = raw.tenant.currency;

  const calendar: FiscalCalendar = {
    fiscalYearStartMonth: raw.calendar.fiscalYearStartMonth,
    customPeriods: raw.calendar.customPeriods.map((p, i): Period => {
      if (p.end <= p.start) issues.push({ path: `calendar.customPeriods[${i}]`, message: `period ${p.id} ends before it starts`, fix: 'make "end" (exclusive) later than "start"' });
      return { id: p.id as PeriodId, kind: 'custom', start: p.start, end: p.end };
    }),
  };

  const userIds = new Set<string>();
  const users: User[] = raw.users.map((u, i) => {
    if (userIds.has(u.id)) issues.push({ path: `users[${i}].id`, message: `duplicate user id "${u.id}"`, fix: 'give each user a unique id' });
    userIds.add(u.id);
    return { id: u.id as UserId, name: u.name, email: u.email, active: u.active, startDate: u.startDate, endDate: u.endDate, payCurrency: u.payCurrency ?? home };
  });
  const knownUser = (id: string, path: string): void => {
    if (!userIds.has(id)) issues.push({ path, message: `unknown user "${id}"`, fix: 'add the user to "users" or correct the id' });
  };

  const managers: ManagerLink[] = raw.managers.map((m, i) => {
    knownUser(m.userId, `managers[${i}].userId`);
    if (m.managerId !== null) knownUser(m.managerId, `managers[${i}].managerId`);
    if (m.managerId === m.userId) issues.push({ path: `managers[${i}]`, message: `${m.userId} cannot manage themselves`, fix: 'set managerId to their actual manager, or null' });
    return { userId: m.userId as UserId, managerId: m.managerId as UserId | null, from: m.from, to: m.to };
  });

  const teams: Team[] = raw.teams.map((t, i) => {
    if (t.managerId !== undefined) knownUser(t.managerId, `teams[${i}].managerId`);
    t.members.forEach((m, j) => knownUser(m.userId, `teams[${i}].members[${j}]`));
    return {
      id: t.id as TeamId,
      name: t.name,
      managerId: t.managerId as UserId | undefined,
      members: t.members.map((m) => ({ userId: m.userId as UserId, from: m.from ?? ('0001-01-01' as never), to: m.to })),
    };
  });

  const stagesByPipeline = new Map<string, Set<string>>();
  const pipelines: Pipeline[] = raw.pipelines.map((p) => {
    stagesByPipeline.set(p.id, new Set(p.stages.map((s) => s.id)));
    const openCount = p.stages.filter((s) => s.outcome === 'open').length;
    return {
      id: p.id as PipelineId,
      name: p.name,
      stages: p.stages.map((s, order) => ({
        id: s.id as StageId,
        name: s.name,
        order,
        outcome: s.outcome,
        // Without a stated probability, open stages climb evenly towards 1; closed stages are certain.
        probability: s.probability ?? (s.outcome === 'won' ? ONE : s.outcome === 'lost' ? ONE.minus(1) : ONE.times(order + 1).dividedBy(openCount + 1)),
      })),
    };
  });

  const dealIds = new DealIds(raw.deals);
  const shared = new SharedStrings();
  // A plain loop: a file may hold a million deals, and nearly all of them have no problem to report.
  const deals: Deal[] = [];
  for (let i = 0; i < raw.deals.length; i++) {
    const d = raw.deals[i]!;
    if (dealIds.seenBefore(i)) issues.push({ path: `deals[${i}].id`, message: `duplicate deal id "${d.id}"`, fix: 'give each deal a unique id' });
    if (!userIds.has(d.ownerId)) knownUser(d.ownerId, `deals[${i}].ownerId`);
    const stages = stagesByPipeline.get(d.pipelineId);
    if (!stages) issues.push({ path: `deals[${i}].pipelineId`, message: `unknown pipeline "${d.pipelineId}"`, fix: 'add the pipeline to "pipelines" or correct the id' });
    else if (!stages.has(d.stageId)) issues.push({ path: `deals[${i}].stageId`, message: `stage "${d.stageId}" is not in pipeline "${d.pipelineId}"`, fix: 'use one of the pipeline\'s stage ids' });
    let revenueSplits = false;
    for (let j = 0; j < d.splits.length; j++) {
      const s = d.splits[j]!;
      if (!userIds.has(s.userId)) knownUser(s.userId, `deals[${i}].splits[${j}].userId`);
      if (s.type === 'revenue') revenueSplits = true;
    }
    if (revenueSplits) {
      const total = sum(d.splits.filter((s) => s.type === 'revenue').map((s) => s.percent));
      if (!total.equals(100)) issues.push({ path: `deals[${i}].splits`, message: `revenue splits of deal ${d.id} total ${total.toString()} %, not 100 %`, fix: 'adjust the revenue split percentages so they add up to exactly 100 (overlay splits may total anything)' });
    }
    deals.push({
      id: d.id as DealId,
      name: d.name,
      pipelineId: shared.of(d.pipelineId) as PipelineId,
      stageId: shared.of(d.stageId) as StageId,
      amount: d.amount,
      currency: shared.of(d.currency),
      closeDate: shared.of(d.closeDate),
      createdDate: shared.of(d.createdDate),
      ownerId: shared.of(d.ownerId) as UserId,
      // The parsed lists are fresh objects of the very shape a Deal holds (never the input document's), so they are kept as they are.
      splits: d.splits as Split[],
      properties: d.properties,
      stageHistory: d.stageHistory as StageChange[],
      sourceVersion: d.sourceVersion,
    });
  }

  const activities: Activity[] = raw.activities.map((a, i) => {
    knownUser(a.userId, `activities[${i}].userId`);
    if (a.dealId !== undefined && !dealIds.has(a.dealId)) issues.push({ path: `activities[${i}].dealId`, message: `unknown deal "${a.dealId}"`, fix: 'add the deal or drop the link' });
    return { id: a.id as ActivityId, type: a.type, status: a.status, userId: shared.of(a.userId) as UserId, dealId: a.dealId as DealId | undefined, occurredAt: shared.of(a.occurredAt) };
  });

  const teamIds = new Set(teams.map((t) => t.id as string));
  const quotas: Quota[] = raw.quotas.map((q, i) => {
    const at = `quotas[${i}]`;
    const period = resolvePeriod(q.period, calendar);
    if (!period) issues.push({ path: `${at}.period`, message: `"${q.period}" is not a period`, fix: 'use "2026", "2026-Q3", "2026-07" or the id of a custom period' });
    if ((q.userId === undefined) === (q.teamId === undefined)) issues.push({ path: at, message: 'a quota belongs to exactly one user or one team', fix: 'set either "userId" or "teamId"' });
    if (q.userId !== undefined) knownUser(q.userId, `${at}.userId`);
    if (q.teamId !== undefined && !teamIds.has(q.teamId)) issues.push({ path: `${at}.teamId`, message: `unknown team "${q.teamId}"`, fix: 'add the team to "teams" or correct the id' });
    let phasing: Quota['phasing'];
    if (q.phasing) {
      const entries = Object.entries(q.phasing);
      for (const [month] of entries) {
        const mp = resolvePeriod(month);
        if (!mp || mp.kind !== 'month' || (period && (mp.start < period.start || mp.start >= period.end))) {
          issues.push({ path: `${at}.phasing.${month}`, message: `"${month}" is not a month inside ${q.period}`, fix: 'key phasing weights by the months of the quota period, e.g. "2026-07"' });
        }
      }
      const total = sum(entries.map(([, w]) => w));
      if (!total.equals(1)) issues.push({ path: `${at}.phasing`, message: `phasing weights total ${total.toString()}, not 1`, fix: 'make the monthly weights add up to exactly 1' });
      phasing = new Map(entries.map(([k, w]) => [k as PeriodId, w]));
    }
    return {
      id: q.id as QuotaId,
      owner: q.userId !== undefined ? { userId: q.userId as UserId } : { teamId: (q.teamId ?? '') as TeamId },
      measure: q.measure,
      period: q.period as PeriodId,
      target: q.target,
      currency: q.measure.kind === 'revenue' ? (q.currency ?? home) : undefined,
      phasing,
      version: q.version,
      effectiveFrom: q.effectiveFrom ?? ('0001-01-01' as never),
    };
  });

  const fxRates: FxRate[] = raw.fxRates;

  if (issues.length > 0) throw new InputError(source, issues);
  return { tenant: { id: raw.tenant.id as TenantId, name: raw.tenant.name, currency: home }, calendar, users, managers, teams, pipelines, deals, activities, quotas, fxRates };
}
