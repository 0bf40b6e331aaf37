import { parseCurrency } from '../../shared/src/money/currency.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import { displayMoney, money } from '../../shared/src/money/money.js';
import type { Db } from '../../worker/src/db/database.js';

export interface TenantSummary {
  readonly tenantId: string;
  readonly name: string;
  readonly source: string;
  readonly users: number;
  readonly payees: number;
  /** Entries in the append-only payout ledger. */
  readonly ledgerEntries: number;
  readonly deals: number;
  readonly activities: number;
  /** Sum of every current ledger line per currency (exact decimal strings). */
  readonly payouts: ReadonlyArray<{ readonly currency: string; readonly total: string }>;
  readonly kpiSnapshots: number;
  readonly openPrompts: number;
  readonly topAttainment: { readonly userId: string; readonly name: string; readonly periodId: string; readonly percent: string } | undefined;
}

/** What is in the database now, per tenant: the numbers the start-up summary prints. */
export async function summarize(db: Db): Promise<TenantSummary[]> {
  const tenants = await db.selectFrom('tenants').select(['id', 'name', 'source']).where('status', '=', 'active').orderBy('id').execute();
  const out: TenantSummary[] = [];
  for (const t of tenants) {
    const count = async (table: 'users' | 'deals' | 'activities' | 'kpi_snapshots'): Promise<number> => {
      let q = db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t.id);
      if (table === 'deals' || table === 'activities') q = q.where('deleted_at', 'is', null);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    // The ledger is append-only: the current amount of a line is the sum of its entries.
    const ledger = await db.selectFrom('payout_ledger').select(['payee_id', 'currency', 'amount']).where('tenant_id', '=', t.id).execute();
    const totals = new Map<string, Decimal>();
    const payees = new Set<string>();
    for (const e of ledger) {
      totals.set(e.currency, (totals.get(e.currency) ?? new Decimal(0)).plus(new Decimal(String(e.amount))));
      payees.add(e.payee_id);
    }
    const prompts = await db.selectFrom('coaching_prompts').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t.id).where('status', '=', 'open').executeTakeFirstOrThrow();
    out.push({
      tenantId: t.id,
      name: t.name,
      source: t.source,
      users: await count('users'),
      payees: payees.size,
      ledgerEntries: ledger.length,
      deals: await count('deals'),
      activities: await count('activities'),
      payouts: [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, total]) => ({ currency, total: total.toFixed(2) })),
      kpiSnapshots: await count('kpi_snapshots'),
      openPrompts: Number(prompts.n),
      topAttainment: await topAttainment(db, t.id),
    });
  }
  return out;
}

/** The best quota attainment among users in the latest period with KPI snapshots. */
async function topAttainment(db: Db, tenantId: string): Promise<TenantSummary['topAttainment']> {
  const latest = await db.selectFrom('kpi_snapshots').select('period_id').where('tenant_id', '=', tenantId).where('subject_type', '=', 'user').orderBy('period_id', 'desc').limit(1).executeTakeFirst();
  if (!latest) return undefined;
  const rows = await db
    .selectFrom('kpi_snapshots')
    .innerJoin('users', (j) => j.onRef('users.tenant_id', '=', 'kpi_snapshots.tenant_id').onRef('users.id', '=', 'kpi_snapshots.subject_id'))
    .select(['kpi_snapshots.subject_id', 'users.name', 'kpi_snapshots.kpis'])
    .where('kpi_snapshots.tenant_id', '=', tenantId)
    .where('kpi_snapshots.subject_type', '=', 'user')
    .where('kpi_snapshots.period_id', '=', latest.period_id)
    .execute();
  let best: { userId: string; name: string; value: Decimal } | undefined;
  for (const r of rows) {
    const value = attainmentOf(r.kpis);
    if (value && (!best || value.gt(best.value))) best = { userId: r.subject_id, name: r.name, value };
  }
  return best ? { userId: best.userId, name: best.name, periodId: latest.period_id, percent: best.value.times(100).toFixed(1) } : undefined;
}

function attainmentOf(kpis: unknown): Decimal | undefined {
  const value = (kpis as { quotaAttainment?: { attainment?: unknown } } | null)?.quotaAttainment?.attainment;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return new Decimal(String(value));
  } catch {
    return undefined;
  }
}

/** Thousands separators for counts. */
export const n = (value: number): string => value.toLocaleString('en-US');

export function formatSummary(tenants: readonly TenantSummary[]): string {
  const lines: string[] = [];
  const all = new Map<string, Decimal>();
  for (const t of tenants) {
    lines.push(`  ${t.source === 'hubspot' ? 'HubSpot   ' : 'Salesforce'} ${t.tenantId}  ${t.name}`);
    lines.push(`    ${n(t.users)} users (${n(t.payees)} paid), ${n(t.deals)} deals, ${n(t.activities)} activities, ${n(t.kpiSnapshots)} KPI snapshots, ${n(t.openPrompts)} open coaching prompts`);
    lines.push(`    payouts: ${t.payouts.length === 0 ? 'none' : t.payouts.map((p) => display(p.currency, p.total)).join(', ')}`);
    if (t.topAttainment) lines.push(`    top attainment ${t.topAttainment.periodId}: ${t.topAttainment.name} at ${t.topAttainment.percent} %`);
    for (const p of t.payouts) all.set(p.currency, (all.get(p.currency) ?? new Decimal(0)).plus(new Decimal(p.total)));
  }
  const reps = tenants.reduce((s, t) => s + t.payees, 0);
  const deals = tenants.reduce((s, t) => s + t.deals, 0);
  lines.unshift(`Summary: ${tenants.length} tenants, ${n(reps)} paid reps and managers, ${n(deals)} deals; total payouts ${[...all].map(([c, v]) => display(c, v.toFixed(2))).join(', ') || 'none'}`);
  return `${lines.join('\n')}\n`;
}

/** "USD 1,234.50": the ledger's currencies are known ones (they passed input parsing). */
function display(currency: string, total: string): string {
  const code = parseCurrency(currency);
  return code ? displayMoney(money(new Decimal(total), code)) : `${currency} ${total}`;
}
