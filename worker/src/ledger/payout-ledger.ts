import { sql, type Transaction } from 'kysely';
import { Decimal, ZERO } from '../../../shared/src/money/decimal.js';
import type { Statement } from '../../../shared/src/engine/statement.js';
import { provenanceToJson } from '../../../shared/src/engine/statement-json.js';
import type { Db } from '../db/database.js';
import type { DatabaseSchema } from '../db/schema.js';
import { WorkflowConflict } from '../db/workflow-conflict.js';

type Tx = Transaction<DatabaseSchema>;

export interface LedgerLine {
  readonly payeeId: string;
  readonly periodId: string;
  readonly lineKey: string;
  readonly seq: number;
  readonly kind: string;
  readonly amount: Decimal;
  readonly currency: string;
  readonly explanation: string;
  readonly provenance: unknown;
  readonly cause: string | null;
}

/**
 * The payout ledger: append-only. A line's current amount is its latest entry's
 * `line_amount` (the running sum of its entries). Writing a statement appends, per line,
 * only the difference from what the ledger already holds, so writing the same statement
 * twice appends nothing, and a crash mid-write (one transaction) appends nothing either.
 * Entries are numbered per line and (tenant, payee, period, line, seq) is unique: two
 * writers racing on one line cannot both append entry n; the loser's transaction fails
 * and its job retries against the new state.
 */
export interface WriteScope {
  /** The periods these statements are complete for. */
  readonly periods: readonly string[];
  /** The payees they are complete for; 'all' means a payee missing from `statements` is owed nothing there. */
  readonly payees: readonly string[] | 'all';
}

export interface WrittenEntry {
  readonly payeeId: string;
  readonly periodId: string;
  readonly lineKey: string;
  readonly delta: string;
}

export async function writeStatements(tx: Tx, tenantId: string, statements: readonly Statement[], scope: WriteScope, runId: string): Promise<WrittenEntry[]> {
  if (scope.periods.length === 0 || (scope.payees !== 'all' && scope.payees.length === 0)) return [];
  const locked = await tx.selectFrom('periods').select('period_id').where('tenant_id', '=', tenantId).where('status', '=', 'locked').where('period_id', 'in', [...scope.periods]).execute();
  if (locked.length > 0) throw new WorkflowConflict(`Refusing to write into locked period(s) ${locked.map((l) => l.period_id).join(', ')} for tenant ${tenantId}: locked statements are never rewritten; changes belong in the next open period`);
  const current = await currentLines(tx, tenantId, scope);
  const produced = new Set(statements.map((s) => `${s.payeeId}|${s.period.id}`));
  // Payees in scope with ledger lines but no statement any more (taken off a plan) are owed nothing there.
  const emptied = new Map<string, { payeeId: string; periodId: string; currency: string }>();
  for (const line of current.values()) {
    const pair = `${line.payeeId}|${line.periodId}`;
    if (!produced.has(pair)) emptied.set(pair, { payeeId: line.payeeId, periodId: line.periodId, currency: line.currency });
  }
  const targets = [
    ...statements.map((s) => ({ payeeId: s.payeeId as string, periodId: s.period.id as string, currency: s.currency as string, lines: s.lines })),
    ...[...emptied.values()].map((e) => ({ ...e, lines: [] as Statement['lines'] })),
  ];
  const entries: Array<{ payee_id: string; period_id: string; line_key: string; seq: number; kind: string; amount: string; line_amount: string; currency: string; explanation: string; provenance: string | null; cause: string | null }> = [];
  for (const s of targets) {
    const seen = new Set<string>();
    for (const line of s.lines) {
      seen.add(line.key);
      const before = current.get(`${s.payeeId}|${s.periodId}|${line.key}`);
      const previous = before?.amount ?? ZERO;
      if (before && previous.equals(line.amount) && before.explanation === line.explanation) continue;
      if (!before && line.amount.isZero() && line.kind !== 'commission') continue;
      entries.push({
        payee_id: s.payeeId,
        period_id: s.periodId,
        line_key: line.key,
        seq: (before?.seq ?? 0) + 1,
        kind: line.kind,
        amount: line.amount.minus(previous).toString(),
        line_amount: line.amount.toString(),
        currency: s.currency,
        explanation: line.explanation,
        provenance: line.provenance ? JSON.stringify(provenanceToJson(line.provenance)) : null,
        cause: line.adjusts?.cause ?? null,
      });
    }
    // A line the statement no longer has is reversed to zero, never deleted.
    for (const [key, before] of current) {
      if (!key.startsWith(`${s.payeeId}|${s.periodId}|`) || seen.has(before.lineKey) || before.amount.isZero()) continue;
      entries.push({
        payee_id: s.payeeId,
        period_id: s.periodId,
        line_key: before.lineKey,
        seq: before.seq + 1,
        kind: before.kind,
        amount: before.amount.negated().toString(),
        line_amount: '0',
        currency: before.currency,
        explanation: `No longer paid: ${before.explanation}`,
        provenance: before.provenance === null ? null : JSON.stringify(before.provenance),
        cause: 'deal-removed',
      });
    }
  }
  for (let i = 0; i < entries.length; i += 1000) {
    await tx
      .insertInto('payout_ledger')
      .values(entries.slice(i, i + 1000).map((e) => ({ ...e, tenant_id: tenantId, run_id: runId })))
      .execute();
  }
  return entries.map((e) => ({ payeeId: e.payee_id, periodId: e.period_id, lineKey: e.line_key, delta: e.amount }));
}

async function currentLines(tx: Tx | Db, tenantId: string, scope: WriteScope): Promise<Map<string, LedgerLine>> {
  const out = new Map<string, LedgerLine>();
  let query = tx
    .selectFrom('payout_ledger')
    .select(['payee_id', 'period_id', 'line_key', 'seq', 'kind', 'line_amount', 'currency', 'explanation', 'provenance', 'cause'])
    .distinctOn(['payee_id', 'period_id', 'line_key'])
    .where('tenant_id', '=', tenantId)
    .where('period_id', 'in', [...scope.periods]);
  if (scope.payees !== 'all') query = query.where('payee_id', 'in', [...scope.payees]);
  const rows = await query.orderBy('payee_id').orderBy('period_id').orderBy('line_key').orderBy('seq', 'desc').execute();
  for (const r of rows) {
    out.set(`${r.payee_id}|${r.period_id}|${r.line_key}`, {
      payeeId: r.payee_id,
      periodId: r.period_id,
      lineKey: r.line_key,
      seq: r.seq,
      kind: r.kind,
      amount: new Decimal(r.line_amount),
      currency: r.currency,
      explanation: r.explanation,
      provenance: r.provenance,
      cause: r.cause,
    });
  }
  return out;
}

/** What the ledger says a payee is owed for a period, line by line (lines now at zero included). */
export async function ledgerStatement(db: Db, tenantId: string, payeeId: string, periodId: string): Promise<LedgerLine[]> {
  return [...(await currentLines(db, tenantId, { periods: [periodId], payees: [payeeId] })).values()];
}

/** Every line of a tenant, keyed "payee|period|line" → amount: what reconciliation and tests compare. */
export async function ledgerSnapshot(db: Db | Tx, tenantId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('payout_ledger')
    .select(['payee_id', 'period_id', 'line_key', 'line_amount'])
    .distinctOn(['payee_id', 'period_id', 'line_key'])
    .where('tenant_id', '=', tenantId)
    .orderBy('payee_id')
    .orderBy('period_id')
    .orderBy('line_key')
    .orderBy('seq', 'desc')
    .execute();
  return new Map(rows.filter((r) => !new Decimal(r.line_amount).isZero()).map((r) => [`${r.payee_id}|${r.period_id}|${r.line_key}`, new Decimal(r.line_amount).toString()]));
}

/** Takes the tenant's recompute lock for the rest of the transaction: one writer per tenant at a time. */
export async function lockTenantLedger(tx: Tx, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`ledger/${tenantId}`}))`.execute(tx);
}
