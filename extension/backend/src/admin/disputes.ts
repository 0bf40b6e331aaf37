import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Deal, Split } from '../../../../shared/src/domain/deals.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { diffStatements } from '../../../../shared/src/engine/diff.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import { issuesFromZod } from '../../../../shared/src/input/input-error.js';
import { nonNegativeDecimal } from '../../../../shared/src/input/scalars.js';
import { sum } from '../../../../shared/src/money/decimal.js';
import { formatAmount } from '../../../../shared/src/money/rounding.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import type { Db } from '../../../../worker/src/db/database.js';
import type { DisputesTable, DisputeStatus } from '../../../../worker/src/db/schema.js';
import { ApiFailure } from '../http/api-failure.js';
import { periodStatements, planPeriod, type TenantState } from './period-statements.js';

/** What a rep says the input should have been: the deal's amount, its splits, or both. */
export const disputeRequestSchema = z.strictObject({
  period: z.string().min(1),
  payeeId: z.string().min(1),
  lineKey: z.string().min(1),
  note: z.string().max(2000).default(''),
  claim: z
    .strictObject({
      dealAmount: nonNegativeDecimal.optional(),
      splits: z.array(z.strictObject({ userId: z.string().min(1), type: z.enum(['revenue', 'overlay']), percent: nonNegativeDecimal })).optional(),
    })
    .refine((c) => c.dealAmount !== undefined || c.splits !== undefined, { message: 'say what the input should have been | fix: give "dealAmount", "splits", or both' }),
});

export const disputeDecisionSchema = z.strictObject({
  status: z.enum(['accepted', 'rejected']),
  resolution: z.string().min(1, { message: 'say why | fix: write what was decided and what happens next (e.g. "amount corrected in the CRM")' }).max(2000),
});

export interface DisputeJson {
  readonly id: string;
  readonly payeeId: string;
  readonly period: string;
  readonly lineKey: string;
  readonly claim: unknown;
  readonly note: string;
  readonly status: DisputeStatus;
  readonly result: DisputeResult;
  readonly resolution: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly resolvedBy: string | null;
  readonly resolvedAt: string | null;
}

export interface DisputeResult {
  readonly dealId: string;
  readonly currency: string;
  readonly totalBefore: string;
  readonly totalAfter: string;
  /** What the payee's period would pay more (or less) if the claim is right. */
  readonly delta: string;
  readonly changes: readonly { key: string; kind: string; before: string | undefined; after: string | undefined; delta: string; explanation: string }[];
}

function withClaim(deal: Deal, claim: z.infer<typeof disputeRequestSchema>['claim'], state: TenantState): Deal {
  const users = new Set(state.data.users.map((u) => u.id as string));
  const splits: Split[] | undefined = claim.splits?.map((s, i) => {
    if (!users.has(s.userId)) throw new ApiFailure('invalid_input', `claim.splits[${i}].userId: unknown user "${s.userId}"`, 'use the id of a user of this account');
    return { userId: s.userId as UserId, type: s.type, percent: s.percent };
  });
  const revenue = splits?.filter((s) => s.type === 'revenue') ?? [];
  if (revenue.length > 0 && !sum(revenue.map((s) => s.percent)).equals(100)) {
    throw new ApiFailure('invalid_input', `claim.splits: revenue splits total ${sum(revenue.map((s) => s.percent)).toString()} %, not 100 %`, 'make the revenue split percentages add up to exactly 100 (overlay splits may total anything)');
  }
  return { ...deal, amount: claim.dealAmount ?? deal.amount, splits: splits ?? deal.splits };
}

/**
 * Opens a dispute on one payout line: recomputes the payee's period with the rep's claimed
 * input for that line's deal and stores the claim with the difference it makes. Both runs
 * compute the period afresh (even a locked one), so the difference is the claim's alone.
 * Accepting a dispute records the decision; the input itself is corrected at its source
 * (the CRM), and the engine pays the difference, as an adjustment if the period is locked.
 */
export async function openDispute(db: Db, tenantId: string, state: TenantState, body: unknown, asOf: IsoDate, actor: string): Promise<DisputeJson> {
  const parsed = disputeRequestSchema.safeParse(body);
  if (!parsed.success) throw new ApiFailure('invalid_input', 'the dispute is incomplete', 'correct the fields listed', issuesFromZod(parsed.error));
  const request = parsed.data;
  const period = planPeriod(state, request.period);
  const payees = new Set([request.payeeId as UserId]);
  const unlocked: TenantState = { data: state.data, plans: state.plans, locked: state.locked.filter((l) => l.period !== period.id), ...(state.index ? { index: state.index } : {}) };
  const [current] = periodStatements(unlocked, period, asOf, payees).statements;
  if (!current) throw new ApiFailure('not_found', `${request.payeeId} has no statement for ${period.id}`, 'pick a payee and period from the statements page');
  const line = current.lines.find((l) => l.key === request.lineKey);
  if (!line) throw new ApiFailure('not_found', `${request.payeeId}'s ${period.id} statement has no line "${request.lineKey}"`, 'open the dispute from a line of the statement');
  const dealId = line.provenance?.deal?.id;
  const deal = dealId === undefined ? undefined : (state.index?.dealsById.get(dealId) ?? state.data.deals.find((d) => d.id === dealId));
  if (!deal) throw new ApiFailure('invalid_input', 'only lines paid on a deal can be disputed with a claimed deal amount or split', 'raise other questions with your admin directly');
  const claimed = withClaim(deal, request.claim, state);
  // No index: the cached one is of the stored data, not of the claimed deal.
  const claimedState: TenantState = { plans: unlocked.plans, locked: unlocked.locked, data: { ...state.data, deals: state.data.deals.map((d) => (d.id === deal.id ? claimed : d)) } };
  const [after] = periodStatements(claimedState, period, asOf, payees).statements;
  const result = disputeResult(deal.id, current, after);
  const id = randomUUID();
  const claimJson = { dealAmount: request.claim.dealAmount?.toString(), splits: request.claim.splits?.map((s) => ({ ...s, percent: s.percent.toString() })) };
  await db
    .insertInto('disputes')
    .values({ tenant_id: tenantId, id, payee_id: request.payeeId, period_id: period.id, line_key: line.key, claim: JSON.stringify(claimJson), note: request.note, result: JSON.stringify(result), created_by: actor })
    .execute();
  await db.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'dispute.opened', target: id, details: JSON.stringify({ payeeId: request.payeeId, period: period.id, lineKey: line.key, delta: result.delta }) }).execute();
  return (await getDispute(db, tenantId, id))!;
}

function disputeResult(dealId: string, before: Statement, after: Statement | undefined): DisputeResult {
  const total = after?.total ?? before.total.minus(before.total);
  const [diff] = diffStatements([before], after ? [after] : []);
  return {
    dealId,
    currency: before.currency,
    totalBefore: formatAmount(before.total, before.currency),
    totalAfter: formatAmount(total, before.currency),
    delta: formatAmount(total.minus(before.total), before.currency),
    changes: (diff?.changes ?? []).map((c) => ({ key: c.key, kind: c.kind, before: c.before?.toString(), after: c.after?.toString(), delta: c.delta.toString(), explanation: c.explanation })),
  };
}

type DisputeRow = Selectable<DisputesTable>;

function toJson(r: DisputeRow): DisputeJson {
  return {
    id: r.id,
    payeeId: r.payee_id,
    period: r.period_id,
    lineKey: r.line_key,
    claim: r.claim,
    note: r.note,
    status: r.status,
    result: r.result as DisputeResult,
    resolution: r.resolution,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
  };
}

/** The tenant's disputes, newest first, filtered in the query (disputes_by_period serves a period, or a period and payee). */
export async function listDisputes(db: Db, tenantId: string, filter: { readonly payeeId?: string | undefined; readonly period?: string | undefined }): Promise<DisputeJson[]> {
  let query = db.selectFrom('disputes').selectAll().where('tenant_id', '=', tenantId);
  if (filter.period !== undefined) query = query.where('period_id', '=', filter.period);
  if (filter.payeeId !== undefined) query = query.where('payee_id', '=', filter.payeeId);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(toJson);
}

export async function getDispute(db: Db, tenantId: string, id: string): Promise<DisputeJson | undefined> {
  const row = await db.selectFrom('disputes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row && toJson(row);
}

/** Accepts or rejects an open dispute, once. */
export async function decideDispute(db: Db, tenantId: string, id: string, body: unknown, actor: string): Promise<DisputeJson> {
  const parsed = disputeDecisionSchema.safeParse(body);
  if (!parsed.success) throw new ApiFailure('invalid_input', 'the decision is incomplete', 'correct the fields listed', issuesFromZod(parsed.error));
  const updated = await db
    .updateTable('disputes')
    .set({ status: parsed.data.status, resolution: parsed.data.resolution, resolved_by: actor, resolved_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (!updated) {
    const existing = await getDispute(db, tenantId, id);
    if (!existing) throw new ApiFailure('not_found', `no dispute ${id}`, 'pick a dispute from the list');
    throw new ApiFailure('conflict', `dispute ${id} was already ${existing.status} by ${existing.resolvedBy ?? 'someone'}`, 'open a new dispute if there is new information');
  }
  await db.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: `dispute.${parsed.data.status}`, target: id, details: JSON.stringify({ resolution: parsed.data.resolution }) }).execute();
  return (await getDispute(db, tenantId, id))!;
}
