import { ZERO, Decimal } from '../../../../shared/src/money/decimal.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { runStatements, type RunResult } from '../../../../shared/src/engine/run.js';
import type { Statement } from '../../../../shared/src/engine/statement.js';
import { computeKpis, type KpiReport } from '../../../../shared/src/kpi/kpi-report.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import { periodContaining, resolvePeriod, type Period, type PeriodKind } from '../../../../shared/src/time/period.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { ledgerStatement, type LedgerLine } from '../../../../worker/src/ledger/payout-ledger.js';
import type { Principal } from '../auth/principal.js';
import { ApiFailure } from '../http/api-failure.js';
import { ledgerDealId } from './explanation-lines.js';
import type { TenantSnapshot } from './tenant-cache.js';
import type { Freshness, PersonRef, Role, Viewer } from './view-models.js';

/** Everything a card handler works from: the snapshot, the caller and the as-of day. */
export interface CardContext {
  readonly db: Db;
  readonly snapshot: TenantSnapshot;
  readonly principal: Principal;
  readonly viewer: Viewer;
  readonly asOf: IsoDate;
}

export function viewerOf(snapshot: TenantSnapshot, principal: Principal, asOf: IsoDate): Viewer {
  const user = snapshot.index.users.get(principal.userId as UserId);
  const roles: Role[] = [];
  if (user) roles.push('rep');
  const managesSomeone = snapshot.reportsOf(principal.userId, asOf).length > 0;
  if (managesSomeone) roles.push('manager');
  if (snapshot.status.admins.has(principal.userId) || principal.grantedRoles.includes('admin')) roles.push('admin');
  return { userId: principal.userId, name: user?.name ?? principal.userId, roles };
}

/**
 * A rep sees only their own figures, a manager also those of everyone below them in the
 * hierarchy on the as-of day, an admin everyone in the tenant. Someone not in the
 * tenant's data is "not found", whichever tenant they may exist in.
 */
export function assertCanSee(ctx: CardContext, userId: string): PersonRef {
  const user = ctx.snapshot.index.users.get(userId as UserId);
  if (!user && userId === ctx.viewer.userId && ctx.viewer.roles.includes('admin')) {
    throw new ApiFailure('not_found', 'You are an admin of this account with no figures of your own (you are not a rep or manager in the CRM)', 'open a deal record to see what it pays its owner; reps and managers see their own figures here');
  }
  if (!user) throw new ApiFailure('not_found', `No person ${userId} in this account`, 'use the id of a rep or manager synced from this CRM account');
  const person = { userId: user.id, name: user.name };
  if (userId === ctx.viewer.userId || ctx.viewer.roles.includes('admin')) return person;
  if (ctx.snapshot.index.hierarchy.chain(userId as UserId, ctx.asOf, 50).includes(ctx.viewer.userId as UserId)) return person;
  throw new ApiFailure('forbidden', 'You can see your own figures and those of the people who report to you', 'open your own card, or ask the rep\'s manager or an admin');
}

/** The period kind the person is paid by (their first plan's), quarters when they are on no plan. */
export function periodKindFor(snapshot: TenantSnapshot, userId: string): PeriodKind {
  return snapshot.plans.find((p) => p.payees.some((a) => a.userId === userId))?.periodKind ?? 'quarter';
}

export function currentPeriod(ctx: CardContext, userId: string, requested: string | undefined): Period {
  const calendar = ctx.snapshot.data.calendar;
  if (requested === undefined) return periodContaining(ctx.asOf, periodKindFor(ctx.snapshot, userId), calendar);
  const period = resolvePeriod(requested, calendar);
  if (!period) throw new ApiFailure('bad_request', `"${requested}" is not a period`, 'use an id such as 2026-Q3, 2026-07 or 2026');
  return period;
}

/** Every payee's statements for a period (and the periods before it), computed once per snapshot. */
export function statementsFor(ctx: CardContext, period: Period): Promise<RunResult | undefined> {
  const { snapshot, asOf } = ctx;
  return snapshot.remember(`run|${period.id}|${asOf}`, () => {
    if (!snapshot.plans.some((p) => p.periodKind === period.kind)) return undefined;
    return runStatements({ plans: snapshot.plans, data: snapshot.data, index: snapshot.index, period: period.id, asOf, locked: snapshot.locked });
  });
}

export async function statementOf(ctx: CardContext, period: Period, userId: string): Promise<Statement | undefined> {
  return (await statementsFor(ctx, period))?.statements.find((s) => s.payeeId === userId);
}

export interface LedgerTotal {
  readonly total: Decimal;
  readonly currency: string;
  readonly lines: readonly LedgerLine[];
}

/** What statement runs have written for the payee and period: the paid truth the cards show as "to date". */
export function ledgerFor(ctx: CardContext, userId: string, periodId: string): Promise<LedgerTotal> {
  return ctx.snapshot.remember(`ledger|${userId}|${periodId}`, async () => {
    const lines = await ledgerStatement(ctx.db, ctx.snapshot.tenantId, userId, periodId);
    const user = ctx.snapshot.index.users.get(userId as UserId);
    const total = lines.reduce((t, l) => t.plus(l.amount), ZERO);
    return { total, currency: lines[0]?.currency ?? user?.payCurrency ?? ctx.snapshot.data.tenant.currency, lines: lines.sort((a, b) => (a.lineKey < b.lineKey ? -1 : a.lineKey > b.lineKey ? 1 : 0)) };
  });
}

/**
 * What the ledger holds for one deal in the payee's period, and its sum: every line whose
 * provenance names the deal, whatever its kind (a commission and its true-up, a spiff, a
 * gate release, a clawback or an adjustment).
 * The deal card's "paid" and its explanation both read this, so they always agree.
 */
export async function dealPaid(ctx: CardContext, userId: string, periodId: string, dealId: string): Promise<{ readonly lines: readonly LedgerLine[]; readonly total: Decimal; readonly currency: string }> {
  const ledger = await ledgerFor(ctx, userId, periodId);
  const lines = ledger.lines.filter((l) => ledgerDealId(l) === dealId);
  return { lines, total: lines.reduce((t, l) => t.plus(l.amount), ZERO), currency: ledger.currency };
}

export function kpisFor(ctx: CardContext, userId: string, period: Period): Promise<KpiReport> {
  return ctx.snapshot.remember(`kpi|${userId}|${period.id}|${ctx.asOf}`, () => computeKpis({ index: ctx.snapshot.index, period, asOf: ctx.asOf, subject: { userId: userId as UserId } }));
}

/** How long a failure's reason may be in a card footer. */
const REASON_CHARS = 120;

/**
 * The reason a card footer gives an admin for a failing sync: the first non-empty clause of the
 * recorded error (our errors say what happened, then after "; " or ". " what to do about it),
 * shortened to fit; "no details recorded" when it has none.
 */
function shortReason(error: string): string {
  const first = error.split(/\n|; |\. /).map((clause) => clause.trim().replace(/\.$/, '')).find((clause) => clause !== '') ?? 'no details recorded';
  return first.length > REASON_CHARS ? `${first.slice(0, REASON_CHARS - 1).trimEnd()}…` : first;
}

export function freshnessOf(ctx: CardContext): Freshness {
  const { lastRunAt, lastSyncAt, syncPending, syncFailures, recomputePending } = ctx.snapshot.status;
  const stamp = lastRunAt ?? lastSyncAt;
  const when = stamp ? `${stamp.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ctx.asOf;
  // Only admins are told why: a CRM's error can quote record values, org ids and host names
  // that are not a rep's to see, and only an admin can act on it.
  const admin = ctx.viewer.roles.includes('admin');
  const syncFailing = syncFailures.map((f) => ({ object: f.object, reason: admin ? shortReason(f.error) : null }));
  // The one place the card footers' warning is worded: the HubSpot and Salesforce cards show `display` as it is.
  // A failing sync comes first: it does not end by itself in a few minutes, and the figures miss what it did not bring.
  const [failing, ...alsoFailing] = syncFailing;
  const pending = syncPending ? 'sync in progress' : recomputePending ? 'recalculating' : undefined;
  const display = failing
    ? admin
      ? `As of ${when} · sync failing: ${failing.object} — ${failing.reason}${alsoFailing.length > 0 ? `; also failing: ${alsoFailing.map((f) => f.object).join(', ')}` : ''}`
      : `As of ${when} · sync failing: ${syncFailing.map((f) => f.object).join(', ')} — these figures may be out of date; your SPM admin sees why on the console's Connect page`
    : pending
      ? `As of ${when} · ${pending}: these figures may change in a few minutes`
      : `As of ${when}`;
  return {
    asOf: ctx.asOf,
    lastStatementRunAt: lastRunAt?.toISOString() ?? null,
    lastSyncAt: lastSyncAt?.toISOString() ?? null,
    syncPending,
    recomputePending,
    syncFailing,
    display,
  };
}

export function stageProbability(ctx: CardContext, pipelineId: string, stageId: string): Decimal {
  return ctx.snapshot.index.stages.get(pipelineId)?.get(stageId)?.probability ?? new Decimal(0);
}
