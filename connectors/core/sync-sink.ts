import { sql, type Transaction } from 'kysely';
import type { Activity } from '../../shared/src/domain/activities.js';
import type { Deal, Pipeline } from '../../shared/src/domain/deals.js';
import type { FxRate } from '../../shared/src/domain/fx.js';
import type { ManagerLink, Team, User } from '../../shared/src/domain/people.js';
import type { Quota } from '../../shared/src/domain/quotas.js';
import { Hierarchy } from '../../shared/src/engine/hierarchy.js';
import type { Db } from '../../worker/src/db/database.js';
import type { DatabaseSchema } from '../../worker/src/db/schema.js';
import { saveQuotasInTransaction } from '../../worker/src/db/quotas.js';
import { loadManagerLinks, replaceManagerLinks, replaceTeams, upsertActivities, upsertDeals, upsertFxRates, upsertPipelines, upsertUsers, type RecordChange, type Versioned } from '../../worker/src/db/records.js';
import { commitPage, type SyncCursor } from '../../worker/src/db/sync-cursors.js';
import type { Enqueue } from '../../worker/src/queues/handler-registry.js';
import { payeesAffectedByActivities, payeesAffectedByDeals } from '../../worker/src/recompute/affected-payees.js';

/**
 * One page of canonical records from a CRM, in whatever mix the object stream yields.
 * Both connectors hand their pages here, so the "write the page and move the cursor in one
 * transaction, then recompute exactly who is affected" rule lives in one place.
 */
export interface CanonicalPage {
  readonly users?: readonly Versioned<User>[];
  /** Reporting lines, replaced for these users (the CRM sends the whole current line). */
  readonly managerLinks?: { readonly userIds: readonly string[]; readonly links: readonly ManagerLink[] };
  readonly teams?: readonly Team[];
  readonly pipelines?: readonly Pipeline[];
  readonly deals?: readonly Versioned<Deal>[];
  readonly activities?: readonly Versioned<Activity>[];
  readonly fxRates?: readonly FxRate[];
  readonly quotas?: readonly Quota[];
}

export interface SinkTarget {
  readonly tenantId: string;
  readonly source: 'hubspot' | 'salesforce';
  /** The object stream (deals, owners, activities…), which owns the cursor. */
  readonly object: string;
}

export interface SinkDeps {
  readonly db: Db;
  readonly enqueue: Enqueue;
}

export interface PageOutcome {
  readonly dealsChanged: number;
  readonly activitiesChanged: number;
  readonly usersChanged: number;
  /** Payees whose pay may have changed; a recompute was requested for them. */
  readonly payees: readonly string[];
  /** People, teams, stages, rates or quotas changed: everyone was scheduled for a full reconcile. */
  readonly fullRecompute: boolean;
}

const MAX_PAYEES_PER_JOB = 5_000;

/**
 * PostgreSQL's statistics lag a table that a first sync is filling: autovacuum analyses
 * about once a minute, and meanwhile the planner, believing the tenant has a few hundred
 * deals, answers each page's `id in (…)` lookups by reading every deal of the tenant
 * through a tenant-only index (a page cost 45 ms at 10,000 deals, 350 ms at 60,000).
 * Analysing after every 5,000 written records keeps pages at ~30 ms whatever the size.
 */
const ANALYZE_EVERY_ROWS = 5_000;
const writtenSinceAnalyze = new WeakMap<Db, number>();

async function keepStatisticsCurrent(db: Db, rowsWritten: number): Promise<void> {
  if (rowsWritten === 0) return;
  const total = (writtenSinceAnalyze.get(db) ?? 0) + rowsWritten;
  writtenSinceAnalyze.set(db, total >= ANALYZE_EVERY_ROWS ? 0 : total);
  if (total >= ANALYZE_EVERY_ROWS) await sql`analyze deals, deal_splits, activities`.execute(db);
}

/**
 * Writes a page and its cursor atomically (a crash can neither skip nor half-apply a page;
 * replaying it is a no-op thanks to the versioned, hashed upserts), then asks for the
 * recomputes the changes call for. The enqueue happens after the commit: if the process
 * dies in between, the nightly reconcile repairs the ledger, and the page's records are safe.
 */
export async function writeSyncPage(deps: SinkDeps, target: SinkTarget, cursor: SyncCursor, page: CanonicalPage, cause: string): Promise<PageOutcome> {
  const { tenantId } = target;
  const written = await commitPage(deps.db, tenantId, target.source, target.object, cursor, async (tx: Transaction<DatabaseSchema>) => {
    const usersChanged = page.users && page.users.length > 0 ? await upsertUsers(tx, tenantId, page.users) : [];
    if (page.managerLinks) await replaceManagerLinks(tx, tenantId, page.managerLinks.userIds, page.managerLinks.links);
    if (page.teams && page.teams.length > 0) await replaceTeams(tx, tenantId, page.teams);
    if (page.pipelines && page.pipelines.length > 0) await upsertPipelines(tx, tenantId, page.pipelines);
    if (page.fxRates && page.fxRates.length > 0) await upsertFxRates(tx, tenantId, page.fxRates);
    const quotasAdded = page.quotas && page.quotas.length > 0 ? await saveQuotasInTransaction(tx, tenantId, page.quotas, `${target.source}-sync`) : 0;
    const deals = page.deals && page.deals.length > 0 ? await upsertDeals(tx, tenantId, page.deals) : [];
    const activities = page.activities && page.activities.length > 0 ? await upsertActivities(tx, tenantId, page.activities) : [];
    const changed = usersChanged.length > 0 || deals.length > 0 || activities.length > 0 || quotasAdded > 0 || (page.managerLinks?.userIds.length ?? 0) > 0 || (page.teams?.length ?? 0) > 0 || (page.pipelines?.length ?? 0) > 0 || (page.fxRates?.length ?? 0) > 0;
    // Cards say "recalculating" while a recompute is owed for this change (see 0005-data-changed-at).
    if (changed) await tx.updateTable('tenants').set({ data_changed_at: sql<Date>`now()` }).where('id', '=', tenantId).execute();
    return { usersChanged, deals, activities, quotasAdded };
  });

  await keepStatisticsCurrent(deps.db, written.deals.length + written.activities.length);

  // A change to people, teams, stage semantics, FX or quotas can move anyone's pay: the
  // tenant-wide reconcile is the one correct answer, deduplicated by its cause.
  const fullRecompute =
    written.usersChanged.length > 0 || (page.managerLinks?.userIds.length ?? 0) > 0 || (page.teams?.length ?? 0) > 0 || (page.pipelines?.length ?? 0) > 0 || (page.fxRates?.length ?? 0) > 0 || written.quotasAdded > 0;
  if (fullRecompute) {
    await deps.enqueue('compute', 'reconcile-tenant', { tenantId, cause });
    return { dealsChanged: written.deals.length, activitiesChanged: written.activities.length, usersChanged: written.usersChanged.length, payees: [], fullRecompute };
  }
  const payees = await affectedPayees(deps.db, tenantId, written.deals, written.activities);
  const periods = touchedMonths(written.deals, written.activities);
  for (let i = 0; i < payees.length; i += MAX_PAYEES_PER_JOB) {
    const payeeIds = payees.slice(i, i + MAX_PAYEES_PER_JOB);
    await deps.enqueue('compute', 'recompute-payees', { tenantId, payeeIds, periodIds: periods, cause: payees.length > MAX_PAYEES_PER_JOB ? `${cause}#${i / MAX_PAYEES_PER_JOB}` : cause });
  }
  return { dealsChanged: written.deals.length, activitiesChanged: written.activities.length, usersChanged: 0, payees, fullRecompute };
}

async function affectedPayees(db: Db, tenantId: string, deals: readonly RecordChange<Deal>[], activities: readonly RecordChange<Activity>[]): Promise<string[]> {
  if (deals.length === 0 && activities.length === 0) return [];
  // Only the chains above the people on these records: a page of a first sync used to read the whole org chart.
  const people = new Set<string>();
  for (const c of deals) for (const v of [c.before, c.after]) if (v) for (const id of [v.ownerId, ...v.splits.map((s) => s.userId)]) people.add(id);
  for (const c of activities) for (const v of [c.before, c.after]) if (v) people.add(v.userId);
  const hierarchy = new Hierarchy(await loadManagerLinks(db, tenantId, [...people]));
  const payees = new Set<string>([...payeesAffectedByDeals(deals, hierarchy), ...payeesAffectedByActivities(activities, hierarchy)]);
  return [...payees].sort();
}

/** The calendar months the changed records fall in: part of the job's identity and its log line (the recompute itself covers every open period). */
function touchedMonths(deals: readonly RecordChange<Deal>[], activities: readonly RecordChange<Activity>[]): string[] {
  const months = new Set<string>();
  for (const c of deals) for (const v of [c.before, c.after]) if (v) months.add(v.closeDate.slice(0, 7));
  for (const c of activities) for (const v of [c.before, c.after]) if (v) months.add(v.occurredAt.slice(0, 7));
  const sorted = [...months].sort();
  return sorted.length > 60 ? sorted.slice(-60) : sorted.length > 0 ? sorted : [new Date().toISOString().slice(0, 7)];
}
