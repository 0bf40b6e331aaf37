import { z } from 'zod';
import type { Decimal } from '../money/decimal.js';
import { formatAmount } from '../money/rounding.js';
import type { ActivityId, ComponentId, DealId, PlanId, QuotaId, TenantId, UserId } from '../domain/ids.js';
import { InputError, issuesFromZod } from '../input/input-error.js';
import { currencyField, dateField, decimalField } from '../input/scalars.js';
import { CREDIT_KINDS } from '../plan/plan.js';
import { PERIOD_KINDS, type PeriodId } from '../time/period.js';
import type { LockedPeriod } from './run.js';
import { CHANGE_CAUSES, LINE_KINDS, type FxUse, type PayoutLine, type Provenance, type Statement } from './statement.js';

/**
 * Statements as JSON: what `spm calc --json` prints and what a locked period is stored
 * as. Amounts are decimal strings (never JSON numbers); reading one back gives the same
 * Statement, so a locked ledger round-trips exactly.
 */
const s = (d: Decimal): string => d.toString();
const opt = (d: Decimal | undefined): string | undefined => (d === undefined ? undefined : d.toString());
const fxJson = (fx: FxUse | undefined) => fx && { from: fx.from, to: fx.to, rate: s(fx.rate), date: fx.date, source: fx.source };

export function provenanceToJson(p: Provenance) {
  return {
    planId: p.planId,
    planVersion: p.planVersion,
    componentId: p.componentId,
    deal: p.deal && { ...p.deal, amount: s(p.deal.amount) },
    activityId: p.activityId,
    credit: p.credit && { kind: p.credit.kind, percent: s(p.credit.percent), via: p.credit.via },
    creditFx: fxJson(p.creditFx),
    creditedValue: opt(p.creditedValue),
    quota: p.quota && { id: p.quota.id, version: p.quota.version, target: s(p.quota.target), effectiveTarget: s(p.quota.effectiveTarget) },
    attainmentBefore: opt(p.attainmentBefore),
    attainmentAfter: opt(p.attainmentAfter),
    slices: p.slices.map((x) => ({ tier: x.tier, from: s(x.from), to: s(x.to), value: s(x.value), rate: s(x.rate), amount: s(x.amount) })),
    calculated: s(p.calculated),
    capped: p.capped,
    withheld: p.withheld,
    payFx: fxJson(p.payFx),
  };
}

export function lineToJson(line: PayoutLine, statement: Pick<Statement, 'currency'>) {
  return {
    key: line.key,
    kind: line.kind,
    date: line.date,
    amount: formatAmount(line.amount, statement.currency),
    exact: s(line.exact),
    uncapped: s(line.uncapped),
    residual: s(line.exact.minus(line.amount)),
    explanation: line.explanation,
    provenance: line.provenance && provenanceToJson(line.provenance),
    adjusts: line.adjusts,
  };
}

export function statementToJson(st: Statement) {
  return {
    tenantId: st.tenantId,
    payeeId: st.payeeId,
    payeeName: st.payeeName,
    period: st.period,
    asOf: st.asOf,
    currency: st.currency,
    total: formatAmount(st.total, st.currency),
    residual: s(st.residual),
    opening: { draw: s(st.opening.draw), carried: s(st.opening.carried) },
    closing: { draw: s(st.closing.draw), carried: s(st.closing.carried) },
    attainment: st.attainment.map((a) => ({ planId: a.planId, componentId: a.componentId, measure: a.measure, quota: opt(a.quota), credited: s(a.credited), attainment: opt(a.attainment) })),
    lines: st.lines.map((l) => lineToJson(l, st)),
  };
}
export type StatementJson = ReturnType<typeof statementToJson>;

const fxSchema = z.object({ from: currencyField, to: currencyField, rate: decimalField, date: dateField, source: z.string() }).optional();
const provenanceSchema = z.object({
  planId: z.string(),
  planVersion: z.number().int(),
  componentId: z.string().optional(),
  deal: z.object({ id: z.string(), name: z.string(), version: z.string(), amount: decimalField, currency: currencyField, closeDate: dateField }).optional(),
  activityId: z.string().optional(),
  credit: z.object({ kind: z.enum(CREDIT_KINDS), percent: decimalField, via: z.string().optional() }).optional(),
  creditFx: fxSchema,
  creditedValue: decimalField.optional(),
  quota: z.object({ id: z.string(), version: z.number().int(), target: decimalField, effectiveTarget: decimalField }).optional(),
  attainmentBefore: decimalField.optional(),
  attainmentAfter: decimalField.optional(),
  slices: z.array(z.object({ tier: z.number().int(), from: decimalField, to: decimalField, value: decimalField, rate: decimalField, amount: decimalField })),
  calculated: decimalField,
  capped: z.boolean(),
  withheld: z.boolean(),
  payFx: fxSchema,
});
const lineSchema = z.object({
  key: z.string(),
  kind: z.enum(LINE_KINDS),
  date: dateField,
  amount: decimalField,
  exact: decimalField,
  uncapped: decimalField,
  explanation: z.string(),
  provenance: provenanceSchema.optional(),
  adjusts: z.object({ period: z.string(), key: z.string(), cause: z.enum(CHANGE_CAUSES) }).optional(),
});
const balancesSchema = z.object({ draw: decimalField, carried: decimalField });
const statementSchema = z.object({
  tenantId: z.string(),
  payeeId: z.string(),
  payeeName: z.string(),
  period: z.object({ id: z.string(), kind: z.enum(PERIOD_KINDS), start: dateField, end: dateField }),
  asOf: dateField,
  currency: currencyField,
  total: decimalField,
  residual: decimalField,
  opening: balancesSchema,
  closing: balancesSchema,
  attainment: z.array(z.object({ planId: z.string(), componentId: z.string(), measure: z.string(), quota: decimalField.optional(), credited: decimalField, attainment: decimalField.optional() })),
  lines: z.array(lineSchema),
});

type FxIn = z.output<typeof fxSchema>;
const fxIn = (fx: FxIn): FxUse | undefined => fx && { ...fx };

function statementFromParsed(raw: z.output<typeof statementSchema>): Statement {
  return {
    tenantId: raw.tenantId as TenantId,
    payeeId: raw.payeeId as UserId,
    payeeName: raw.payeeName,
    period: { ...raw.period, id: raw.period.id as PeriodId },
    asOf: raw.asOf,
    currency: raw.currency,
    total: raw.total,
    residual: raw.residual,
    opening: raw.opening,
    closing: raw.closing,
    attainment: raw.attainment.map((a) => ({ planId: a.planId as PlanId, componentId: a.componentId as ComponentId, measure: a.measure, quota: a.quota, credited: a.credited, attainment: a.attainment })),
    lines: raw.lines.map((l): PayoutLine => {
      const p = l.provenance;
      return {
        key: l.key,
        kind: l.kind,
        date: l.date,
        amount: l.amount,
        exact: l.exact,
        uncapped: l.uncapped,
        explanation: l.explanation,
        adjusts: l.adjusts && { period: l.adjusts.period as PeriodId, key: l.adjusts.key, cause: l.adjusts.cause },
        provenance: p && {
          planId: p.planId as PlanId,
          planVersion: p.planVersion,
          componentId: p.componentId as ComponentId | undefined,
          deal: p.deal && { ...p.deal, id: p.deal.id as DealId },
          activityId: p.activityId as ActivityId | undefined,
          credit: p.credit && { kind: p.credit.kind, percent: p.credit.percent, via: p.credit.via as UserId | undefined },
          creditFx: fxIn(p.creditFx),
          creditedValue: p.creditedValue,
          quota: p.quota && { ...p.quota, id: p.quota.id as QuotaId },
          attainmentBefore: p.attainmentBefore,
          attainmentAfter: p.attainmentAfter,
          slices: p.slices,
          calculated: p.calculated,
          capped: p.capped,
          withheld: p.withheld,
          payFx: fxIn(p.payFx),
        },
      };
    }),
  };
}

/** Reads locked periods from `{ "locked": [{ "period": "2026-Q2", "statements": [...] }] }` or a `spm calc --json` output. */
export function parseLockedLedger(document: unknown, source = 'ledger'): LockedPeriod[] {
  const schema = z.union([
    z.object({ locked: z.array(z.object({ period: z.string(), statements: z.array(statementSchema) })) }),
    z.object({ period: z.object({ id: z.string() }), statements: z.array(statementSchema) }),
  ]);
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw new InputError(source, issuesFromZod(parsed.error));
  // Statements are filed under their own period: one `calc --json` output can hold a
  // quarter's statements and the months of a monthly plan inside it.
  const byPeriod = new Map<string, Statement[]>();
  const statements = 'locked' in parsed.data ? parsed.data.locked.flatMap((p) => p.statements) : parsed.data.statements;
  for (const raw of statements) {
    const statement = statementFromParsed(raw);
    byPeriod.set(statement.period.id, [...(byPeriod.get(statement.period.id) ?? []), statement]);
  }
  return [...byPeriod].map(([period, list]) => ({ period: period as PeriodId, statements: list }));
}

export function statementFromJson(document: unknown): Statement {
  return statementFromParsed(statementSchema.parse(document));
}
