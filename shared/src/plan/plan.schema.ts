import { z } from 'zod';
import { ACTIVITY_TYPES } from '../domain/activities.js';
import type { ComponentId, PlanId, UserId } from '../domain/ids.js';
import type { Measure } from '../domain/quotas.js';
import { ROUNDING_MODES } from '../money/rounding.js';
import { ONE, type Decimal } from '../money/decimal.js';
import { InputError, issuesFromZod, withFix, type InputIssue } from '../input/input-error.js';
import { currencyField, dateField, nonNegativeDecimal, positiveDecimal, idField } from '../input/scalars.js';
import { PERIOD_KINDS } from '../time/period.js';
import { CREDIT_KINDS, DRAW_TYPES, type Component, type CreditRule, type DealFilter, type Plan, type TierRow, type TierTable } from './plan.js';

/**
 * The plan document format (YAML or JSON), documented with complete examples in
 * docs/plans.md. This is the only place a plan is checked: the engine trusts a `Plan`.
 */
const measureField = z.string().transform((text, ctx): Measure => {
  if (text === 'revenue' || text === 'deal-count') return { kind: text };
  const activity = /^activity:(\w+)$/.exec(text)?.[1];
  if (activity && (ACTIVITY_TYPES as readonly string[]).includes(activity)) return { kind: 'activity', activityType: activity as (typeof ACTIVITY_TYPES)[number] };
  ctx.addIssue({ code: 'custom', message: withFix(`"${text}" is not a measure`, `use "revenue", "deal-count" or "activity:<${ACTIVITY_TYPES.join('|')}>"`) });
  return z.NEVER;
});

const creditKinds = z.array(z.enum(CREDIT_KINDS)).min(1);
const creditSchema = z.strictObject({
  quota: creditKinds.default(['revenue']),
  payout: creditKinds.default(['revenue']),
  rollupLevels: z.number().int().min(1).max(10).default(1),
});

const filterSchema = z.strictObject({
  pipelines: z.array(z.string()).min(1).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).default({}),
  minAmount: nonNegativeDecimal.optional(),
});

const tierRowSchema = z.strictObject({
  upTo: positiveDecimal.optional(),
  rate: nonNegativeDecimal.optional(),
  multiplier: nonNegativeDecimal.optional(),
});

const tiersSchema = z.strictObject({
  mode: z.enum(['retroactive', 'marginal', 'hybrid']),
  basis: z.enum(['attainment', 'amount']).default('attainment'),
  marginalFrom: positiveDecimal.optional(),
  straddle: z.enum(['split', 'whole']).default('split'),
  baseRate: nonNegativeDecimal.optional(),
  table: z.array(tierRowSchema).min(1),
});

const componentCommon = {
  id: idField,
  name: z.string().optional(),
  measure: measureField.default({ kind: 'revenue' } as never),
  quotaMeasure: measureField.optional(),
  credit: creditSchema.default({ quota: ['revenue'], payout: ['revenue'], rollupLevels: 1 }),
  filter: filterSchema.default({ properties: {} }),
  gate: z.strictObject({ minAttainment: positiveDecimal }).optional(),
  cap: nonNegativeDecimal.optional(),
};

const componentSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...componentCommon, type: z.literal('commission'), rate: nonNegativeDecimal.optional(), tiers: tiersSchema.optional() }),
  z.strictObject({ ...componentCommon, type: z.literal('spiff'), amount: nonNegativeDecimal.optional(), rate: nonNegativeDecimal.optional(), frequency: z.enum(['every-deal', 'once-per-period']).default('every-deal') }),
  z.strictObject({ ...componentCommon, type: z.literal('attainment-bonus'), thresholds: z.array(z.strictObject({ attainment: positiveDecimal, amount: nonNegativeDecimal })).min(1) }),
]);

const drawSchema = z.strictObject({
  type: z.enum(DRAW_TYPES),
  amount: positiveDecimal,
  from: dateField.optional(),
  to: dateField.optional(),
  recoveryCap: nonNegativeDecimal.optional(),
});

const assignmentSchema = z.strictObject({
  user: idField,
  from: dateField.optional(),
  to: dateField.optional(),
  ramp: z.array(nonNegativeDecimal).default([]),
  draw: drawSchema.optional(),
});

export const planSchema = z.strictObject({
  id: idField,
  version: z.number().int().positive(),
  name: z.string().min(1),
  effective: z.strictObject({ from: dateField, to: dateField.optional() }),
  period: z.enum(PERIOD_KINDS),
  currency: currencyField,
  rounding: z.enum(ROUNDING_MODES).default('half-even'),
  proration: z.enum(['days', 'phasing']).default('days'),
  clawback: z.strictObject({ basis: z.enum(['original', 'paid']).default('original'), netting: z.enum(['carry-forward', 'immediate']).default('carry-forward') }).default({ basis: 'original', netting: 'carry-forward' }),
  periodCap: nonNegativeDecimal.optional(),
  payees: z.array(assignmentSchema).min(1, { message: withFix('a plan needs at least one payee', 'list the users paid by this plan under "payees"') }),
  components: z.array(componentSchema).min(1, { message: withFix('a plan needs at least one component', 'add a commission, spiff or attainment-bonus component') }),
});

type RawComponent = z.output<typeof componentSchema>;
type RawTiers = z.output<typeof tiersSchema>;

function buildTiers(raw: RawComponent & { type: 'commission' }, at: string, issues: InputIssue[]): TierTable {
  if ((raw.rate === undefined) === (raw.tiers === undefined)) {
    issues.push({ path: at, message: 'a commission component needs exactly one of "rate" or "tiers"', fix: 'give a flat "rate" (e.g. "0.08") or a "tiers" table, not both' });
    return { mode: 'retroactive', basis: 'attainment', marginalFrom: undefined, straddle: 'split', rows: [{ upTo: undefined, rate: ONE, multiplier: undefined }] };
  }
  if (raw.rate !== undefined) {
    return { mode: 'marginal', basis: 'amount', marginalFrom: undefined, straddle: 'split', rows: [{ upTo: undefined, rate: raw.rate, multiplier: undefined }] };
  }
  const tiers = raw.tiers as RawTiers;
  const rows: TierRow[] = [];
  let previous: Decimal | undefined;
  tiers.table.forEach((row, i) => {
    const rowAt = `${at}.tiers.table[${i}]`;
    const last = i === tiers.table.length - 1;
    if (last && row.upTo !== undefined) issues.push({ path: `${rowAt}.upTo`, message: 'the last tier must be open-ended', fix: 'remove "upTo" from the last row (or add a row above it without "upTo")' });
    if (!last && row.upTo === undefined) issues.push({ path: `${rowAt}.upTo`, message: 'only the last tier may be open-ended', fix: 'give this row an "upTo" bound' });
    if (row.upTo !== undefined && previous !== undefined && row.upTo.lessThanOrEqualTo(previous)) {
      issues.push({ path: `${rowAt}.upTo`, message: `bounds must rise: ${row.upTo.toString()} is not above ${previous.toString()}`, fix: 'list tiers from lowest to highest with increasing "upTo"' });
    }
    if (row.upTo !== undefined) previous = row.upTo;
    if ((row.rate === undefined) === (row.multiplier === undefined)) {
      issues.push({ path: rowAt, message: 'each tier needs exactly one of "rate" or "multiplier"', fix: 'write "rate: \\"0.08\\"" or "multiplier: \\"1.5\\"" (with tiers.baseRate)' });
      return;
    }
    if (row.multiplier !== undefined && tiers.baseRate === undefined) {
      issues.push({ path: `${rowAt}.multiplier`, message: 'a multiplier needs a base rate', fix: 'add "baseRate" to the tiers block' });
      return;
    }
    rows.push({ upTo: row.upTo, rate: row.rate ?? tiers.baseRate!.times(row.multiplier!), multiplier: row.multiplier });
  });
  if (tiers.mode === 'hybrid' && tiers.marginalFrom === undefined) {
    issues.push({ path: `${at}.tiers.marginalFrom`, message: 'a hybrid table needs the bound above which tiers are marginal', fix: 'add "marginalFrom", e.g. "100" to pay value above 100 % marginally' });
  }
  if (tiers.mode !== 'hybrid' && tiers.marginalFrom !== undefined) {
    issues.push({ path: `${at}.tiers.marginalFrom`, message: `"marginalFrom" only applies to hybrid tables, not ${tiers.mode}`, fix: 'remove it, or set mode: hybrid' });
  }
  if (tiers.marginalFrom !== undefined && !rows.some((r) => r.upTo?.equals(tiers.marginalFrom!))) {
    issues.push({ path: `${at}.tiers.marginalFrom`, message: `${tiers.marginalFrom.toString()} is not a tier bound`, fix: 'set it to one of the "upTo" values so each tier is wholly retroactive or wholly marginal' });
  }
  return { mode: tiers.mode, basis: tiers.basis, marginalFrom: tiers.marginalFrom, straddle: tiers.straddle, rows };
}

function buildComponent(raw: RawComponent, at: string, issues: InputIssue[]): Component {
  const filter: DealFilter = {
    pipelines: raw.filter.pipelines,
    properties: Object.fromEntries(Object.entries(raw.filter.properties).map(([k, v]) => [k, typeof v === 'string' ? [v] : v])),
    minAmount: raw.filter.minAmount,
  };
  const credit: CreditRule = raw.credit;
  const base = {
    id: raw.id as ComponentId,
    name: raw.name ?? raw.id,
    measure: raw.measure,
    quotaMeasure: raw.quotaMeasure ?? raw.measure,
    credit,
    filter,
    gate: raw.gate?.minAttainment,
    cap: raw.cap,
  };
  if (raw.measure.kind === 'activity' && (credit.payout.some((k) => k !== 'revenue') || filter.pipelines || Object.keys(filter.properties).length > 0 || filter.minAmount)) {
    issues.push({ path: at, message: 'activity measures are credited to the person who did the activity; deal filters and overlay/rollup credit do not apply', fix: 'remove "filter" and use credit kinds ["revenue"] for activity components' });
  }
  switch (raw.type) {
    case 'commission':
      return { ...base, type: 'commission', tiers: buildTiers(raw, at, issues) };
    case 'spiff':
      if ((raw.amount === undefined) === (raw.rate === undefined)) issues.push({ path: at, message: 'a spiff needs exactly one of "amount" or "rate"', fix: 'give a fixed "amount" per deal or a "rate" on credited value' });
      return { ...base, type: 'spiff', amount: raw.amount, rate: raw.rate, frequency: raw.frequency };
    case 'attainment-bonus': {
      const sorted = [...raw.thresholds].sort((a, b) => a.attainment.comparedTo(b.attainment));
      if (sorted.some((t, i) => i > 0 && t.attainment.equals(sorted[i - 1]!.attainment))) issues.push({ path: `${at}.thresholds`, message: 'two thresholds share one attainment', fix: 'merge them into one threshold' });
      return { ...base, type: 'attainment-bonus', thresholds: sorted };
    }
  }
}

/** Checks a parsed plan document and returns the Plan, or throws InputError naming every problem. */
export function parsePlan(document: unknown, source = 'plan'): Plan {
  const parsed = planSchema.safeParse(document);
  if (!parsed.success) throw new InputError(source, issuesFromZod(parsed.error));
  const raw = parsed.data;
  const issues: InputIssue[] = [];
  if (raw.effective.to !== undefined && raw.effective.to <= raw.effective.from) {
    issues.push({ path: 'effective.to', message: 'the plan ends before it starts', fix: 'make "effective.to" (exclusive) later than "effective.from"' });
  }
  const componentIds = new Set<string>();
  const components = raw.components.map((c, i) => {
    if (componentIds.has(c.id)) issues.push({ path: `components[${i}].id`, message: `duplicate component id "${c.id}"`, fix: 'give each component a unique id' });
    componentIds.add(c.id);
    return buildComponent(c, `components[${i}]`, issues);
  });
  const payeeIds = new Set<string>();
  const payees = raw.payees.map((p, i) => {
    if (payeeIds.has(p.user)) issues.push({ path: `payees[${i}].user`, message: `"${p.user}" is listed twice`, fix: 'list each payee once; change their dates with a new plan version' });
    payeeIds.add(p.user);
    const from = p.from ?? raw.effective.from;
    return {
      userId: p.user as UserId,
      from,
      to: p.to ?? raw.effective.to,
      ramp: p.ramp,
      draw: p.draw && { type: p.draw.type, amount: p.draw.amount, from: p.draw.from ?? from, to: p.draw.to ?? p.to ?? raw.effective.to, recoveryCap: p.draw.recoveryCap },
    };
  });
  if (issues.length > 0) throw new InputError(source, issues);
  return {
    id: raw.id as PlanId,
    version: raw.version,
    name: raw.name,
    effectiveFrom: raw.effective.from,
    effectiveTo: raw.effective.to,
    periodKind: raw.period,
    currency: raw.currency,
    rounding: raw.rounding,
    proration: raw.proration,
    clawback: raw.clawback,
    payees,
    components,
    periodCap: raw.periodCap,
  };
}
