import { sql } from 'kysely';
import { syncOrder } from '../../../../connectors/streams.js';
import type { Dataset } from '../../../../shared/src/domain/dataset.js';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import type { LockedPeriod } from '../../../../shared/src/engine/run.js';
import { indexTenant, type TenantIndex } from '../../../../shared/src/engine/tenant-index.js';
import type { Plan } from '../../../../shared/src/plan/plan.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { loadDataset } from '../../../../worker/src/db/dataset-loader.js';
import { loadLockedPeriods } from '../../../../worker/src/db/periods.js';
import { loadPlans } from '../../../../worker/src/db/plans.js';

/** What changes without a statement run: re-read on every version check, never forces a reload. */
export interface TenantStatus {
  readonly active: boolean;
  readonly admins: ReadonlySet<string>;
  readonly lastRunAt: Date | null;
  readonly lastSyncAt: Date | null;
  /** The first sync of an object is still running: no page or failure has ended it yet. */
  readonly syncPending: boolean;
  /**
   * The objects whose sync failed since it last succeeded (its row keeps last_error until a
   * page commits or a run succeeds), in the order a first sync runs them (the likelier cause
   * first), with the error the worker recorded. Objects no connector syncs any more are left out:
   * nothing would ever clear them.
   */
  readonly syncFailures: readonly SyncFailure[];
  /** CRM data arrived after the last statement run: a recompute is due or running. */
  readonly recomputePending: boolean;
}

/** Failures of objects the connectors still sync, in their connector's first-sync order. */
function inSyncOrder(failures: readonly SyncFailure[]): SyncFailure[] {
  const ranked = failures.flatMap((f) => {
    const at = syncOrder(f.source, f.object);
    return at === undefined ? [] : [{ f, at }];
  });
  return ranked.sort((a, b) => (a.f.source < b.f.source ? -1 : a.f.source > b.f.source ? 1 : a.at - b.at)).map((r) => r.f);
}

export interface SyncFailure {
  readonly source: string;
  readonly object: string;
  readonly error: string;
}

/**
 * One tenant's data as of one version (for cards, one statement run), and everything
 * computed from it. Cards are a pure function of this snapshot and the as-of day, so
 * results are memoised on it and dropped with it when a newer version appears.
 */
export class TenantSnapshot {
  readonly index: TenantIndex;
  readonly usersByEmail: ReadonlyMap<string, string>;
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly reports = new Map<string, UserId[]>();

  constructor(
    readonly tenantId: string,
    readonly version: string,
    readonly data: Dataset,
    readonly plans: readonly Plan[],
    readonly locked: readonly LockedPeriod[],
    public status: TenantStatus,
  ) {
    this.index = indexTenant(data);
    const byEmail = new Map<string, string>();
    for (const u of data.users) if (u.email && u.active !== false) byEmail.set(u.email.toLowerCase(), u.id);
    this.usersByEmail = byEmail;
  }

  /** Computes once per snapshot; a failed computation is forgotten so the next request tries again. */
  remember<T>(key: string, compute: () => T | Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      // Bounded: a tenant's cards are a few per person, but ids in requests are caller-chosen.
      if (this.memo.size >= 20_000) this.memo.clear();
      hit = Promise.resolve().then(compute);
      this.memo.set(key, hit);
      hit.catch(() => this.memo.delete(key));
    }
    return hit;
  }

  /** Everyone below the manager on the day; walked once per person and day (the walk visits every user). */
  reportsOf(managerId: string, asOf: IsoDate): UserId[] {
    const key = `${managerId}|${asOf}`;
    let reports = this.reports.get(key);
    if (!reports) {
      if (this.reports.size >= 20_000) this.reports.clear();
      reports = this.index.hierarchy.reportsOf(managerId as UserId, asOf);
      this.reports.set(key, reports);
    }
    return reports;
  }

  forget(prefix: string): void {
    for (const key of this.memo.keys()) if (key.startsWith(prefix)) this.memo.delete(key);
  }
}

interface Entry {
  snapshot: TenantSnapshot | undefined;
  checkedAt: number;
  usedAt: number;
  checking: Promise<TenantSnapshot> | undefined;
  /** How many requests had arrived when the running check started (see checkFor). */
  checkFrom: number;
  /** With checkMs 0: the one check queued after the running one, for requests that arrived after it started. */
  queued: Promise<TenantSnapshot> | undefined;
}

/**
 * What a snapshot's version follows:
 *  - 'last-run': the latest statement run (cards show the figures of the last run, so newer
 *    CRM data or a new plan does not change them until the run that pays it);
 *  - 'current': everything the tenant's state is read from (the admin console shows the
 *    state as it is now: a published plan, an imported quota, a lock or a synced change
 *    is seen by the next request). See readVersion for the markers each part moves.
 */
export type VersionBasis = 'last-run' | 'current';

/** What a snapshot holds, read from the database. Injectable so tests can count loads. */
export type TenantLoader = (db: Db, tenantId: string) => Promise<{ data: Dataset; plans: readonly Plan[]; locked: readonly LockedPeriod[] }>;

export const loadTenant: TenantLoader = async (db, tenantId) => {
  const [data, plans, locked] = await Promise.all([loadDataset(db, tenantId), loadPlans(db, tenantId), loadLockedPeriods(db, tenantId)]);
  return { data, plans, locked };
};

export interface TenantCacheOptions {
  readonly basis?: VersionBasis;
  /** A tenant nobody asked for in this long is dropped, dataset and memo with it (default 10 minutes). */
  readonly idleMs?: number;
  /** At most this many tenants are held; beyond it the least recently used is dropped (default 200). */
  readonly maxTenants?: number;
  readonly load?: TenantLoader;
}

/**
 * Per-tenant cache of the dataset, plans and engine index. Invalidation is by version: at
 * most every `checkMs` one small query reads the tenant's version (by default its latest
 * statement run, or before the first run newer synced data; with basis 'current', every
 * marker of the current state), and a different version reloads the tenant. Concurrent
 * requests share one check and one load. Memory is bounded by dropping idle tenants and,
 * past `maxTenants`, the least recently used one: a snapshot can be the whole CRM of a
 * large tenant, and a process serves many tenants that each look in now and then.
 */
export class TenantCache {
  /** In least- to most-recently-used order (a hit moves its tenant to the end). */
  private readonly entries = new Map<string, Entry>();
  private readonly basis: VersionBasis;
  private readonly idleMs: number;
  private readonly maxTenants: number;
  private readonly load: TenantLoader;
  /** Requests so far: orders a request's arrival against the start of a check. */
  private arrivals = 0;

  constructor(
    private readonly db: Db,
    private readonly checkMs: number,
    private readonly now: () => number = Date.now,
    options: TenantCacheOptions = {},
  ) {
    this.basis = options.basis ?? 'last-run';
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.maxTenants = Math.max(1, options.maxTenants ?? 200);
    this.load = options.load ?? loadTenant;
  }

  /** How many tenants are held (for tests of the memory bound). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The tenant's snapshot, or undefined when no such tenant exists. A snapshot checked
   * within `checkMs` is served as is; one checked within five times that is served while
   * a check runs in the background (so no request waits for the probe); an older one, or
   * none, waits for the check.
   */
  async get(tenantId: string): Promise<TenantSnapshot | undefined> {
    const now = this.now();
    const arrival = ++this.arrivals;
    // First, so a tenant idle for too long is reloaded rather than revived.
    this.evict(now);
    let entry = this.entries.get(tenantId);
    if (entry) {
      // Re-inserted so the map stays in least-recently-used order.
      this.entries.delete(tenantId);
      this.entries.set(tenantId, entry);
      entry.usedAt = now;
    }
    // A clock stepped back (negative age) proves nothing about freshness: check.
    const age = entry?.snapshot && now >= entry.checkedAt ? now - entry.checkedAt : Number.POSITIVE_INFINITY;
    if (entry?.snapshot && age < this.checkMs) return entry.snapshot;
    if (!entry) {
      entry = { snapshot: undefined, checkedAt: 0, usedAt: now, checking: undefined, checkFrom: 0, queued: undefined };
      this.entries.set(tenantId, entry);
      this.evict(now);
    }
    const current = entry;
    const check = this.checkFor(tenantId, current, arrival).catch((error: unknown) => {
      if (error instanceof UnknownTenant) {
        this.entries.delete(tenantId);
        return undefined;
      }
      throw error;
    });
    if (current.snapshot && age < this.checkMs * 5) {
      // The background check's failure is the next waiting request's to report.
      check.catch(() => undefined);
      return current.snapshot;
    }
    return check;
  }

  /**
   * The check this request waits for. Requests share a running check; but with checkMs 0
   * (the admin console: every request must see every write committed before it arrived,
   * by any process) a check that read the version before this request arrived may have
   * missed such a write, so the request waits for one check after it instead, shared by
   * everyone who arrives meanwhile: one load per version still, never a stale answer.
   */
  private checkFor(tenantId: string, entry: Entry, arrival: number): Promise<TenantSnapshot> {
    if (entry.checking && (this.checkMs > 0 || entry.checkFrom >= arrival)) return entry.checking;
    if (entry.checking) {
      entry.queued ??= entry.checking
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          entry.queued = undefined;
          return this.startCheck(tenantId, entry);
        });
      return entry.queued;
    }
    return this.startCheck(tenantId, entry);
  }

  private startCheck(tenantId: string, entry: Entry): Promise<TenantSnapshot> {
    entry.checkFrom = this.arrivals;
    const check: Promise<TenantSnapshot> = this.refresh(tenantId, entry).finally(() => {
      if (entry.checking === check) entry.checking = undefined;
    });
    entry.checking = check;
    return check;
  }

  /** Drops a tenant's snapshot now (a statement run finished in this process, a test changed data). */
  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  /**
   * Drops tenants idle for `idleMs` (the oldest-used come first, so the walk stops at the
   * first one still in use) and then the least recently used beyond `maxTenants`. A load
   * still running for a dropped tenant finishes into its detached entry and is not kept.
   */
  private evict(now: number): void {
    for (const [tenantId, entry] of this.entries) {
      if (this.entries.size <= this.maxTenants && now - entry.usedAt < this.idleMs) break;
      this.entries.delete(tenantId);
    }
  }

  private async refresh(tenantId: string, entry: Entry): Promise<TenantSnapshot> {
    const checkedAt = this.now();
    // The version is read before the data: a write landing in between is then loaded with
    // the older version's tag and reloaded at the next check, never hidden behind a newer tag.
    const probe = await readVersion(this.db, tenantId, this.basis);
    if (!probe) throw new UnknownTenant();
    if (entry.snapshot && entry.snapshot.version === probe.version) {
      entry.snapshot.status = probe.status;
      entry.checkedAt = checkedAt;
      return entry.snapshot;
    }
    // The admin console never serves a snapshot unchecked, so the old one need not outlive its
    // version: not holding it while the new one loads keeps one copy of the tenant, not two.
    if (this.basis === 'current') entry.snapshot = undefined;
    const { data, plans, locked } = await this.load(this.db, tenantId);
    entry.snapshot = new TenantSnapshot(tenantId, probe.version, data, plans, locked, probe.status);
    entry.checkedAt = checkedAt;
    return entry.snapshot;
  }
}

class UnknownTenant extends Error {}

interface VersionRow {
  status: 'active' | 'disconnected';
  run_id: string | null;
  run_at: Date | null;
  run_started_at: Date | null;
  data_changed_at: Date | null;
  sync_at: Date | null;
  sync_pending: boolean | null;
  sync_failures: SyncFailure[] | null;
  admins: string | null;
  /** Only with basis 'current': the markers of the tenant's current state. */
  state?: string;
}

/**
 * The markers of everything a 'current' snapshot is read from, all columns of the tenant's
 * own row (read by its primary key, whatever the tenant's history):
 *  - CRM records and synced quotas: tenants.data_changed_at, moved in the sync page's own
 *    transaction whenever the page changed something (connectors/core/sync-sink.ts);
 *  - the tenant's name, currency and fiscal year (install, data import): the columns themselves;
 *  - plans, quotas and locked periods: tenants.admin_state_version, moved by one in the
 *    transaction of every plan version saved, quota version added (the admin's import, a
 *    CRM sync, a data import) and period locked (worker/src/db/plans.ts, quotas.ts,
 *    periods.ts; migration 0007). The updates of one row queue behind each other, so every
 *    commit leaves its own value, in whichever order concurrent saves commit (a "latest
 *    timestamp" would not: now() is a transaction's start, not its commit). The admin's
 *    quota import, which moves no other marker, is seen this way too. A new writer of
 *    plans, quotas or locked periods must move it as well (bumpAdminStateVersion, worker/src/db/admin-state-version.ts).
 * Disputes are not part of the state (they are read per request). Records written around
 * the sync sink (importDataset's records, a test's direct upsertDeals) move no marker:
 * invalidate after them.
 */
// data_changed_at as text keeps its microseconds (a JS Date would drop them: two sync pages
// in one millisecond are two changes); the name comes last, so a "|" in it is harmless.
const CURRENT_STATE = sql<string>`concat_ws('|',
      t.admin_state_version,
      coalesce(t.data_changed_at::text, 'never'),
      t.home_currency, t.fiscal_year_start_month, t.name)`;

async function readVersion(db: Db, tenantId: string, basis: VersionBasis): Promise<{ version: string; status: TenantStatus } | undefined> {
  const result = await sql<VersionRow>`
    select t.status, t.data_changed_at,
      r.run_id, r.finished_at as run_at, r.started_at as run_started_at,
      (select max(synced_at) from sync_cursors where tenant_id = t.id) as sync_at,
      (select bool_or(phase = 'initial' and last_error is null) from sync_cursors where tenant_id = t.id) as sync_pending,
      (select json_agg(json_build_object('source', source, 'object', object, 'error', last_error)) from sync_cursors where tenant_id = t.id and last_error is not null) as sync_failures,
      (select string_agg(user_id, ',' order by user_id) from tenant_roles where tenant_id = t.id and role = 'admin') as admins
      ${basis === 'current' ? sql`, ${CURRENT_STATE} as state` : sql``}
    from tenants t
    left join lateral (select run_id, started_at, finished_at from statement_runs where tenant_id = t.id order by finished_at desc limit 1) r on true
    where t.id = ${tenantId}`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const runAt = row.run_at === null ? null : new Date(row.run_at);
  const syncAt = row.sync_at === null ? null : new Date(row.sync_at);
  const dataChangedAt = row.data_changed_at === null ? null : new Date(row.data_changed_at);
  return {
    version:
      basis === 'current'
        ? `state@${row.state ?? ''}`
        : // Before the first run, newer synced data is the only sign the snapshot is out of date.
          (row.run_id ?? `sync@${syncAt?.toISOString() ?? 'never'}`),
    status: {
      active: row.status === 'active',
      admins: new Set((row.admins ?? '').split(',').filter(Boolean)),
      lastRunAt: runAt,
      lastSyncAt: syncAt,
      // A failure is recorded only once its job gives up, and cleared by the object's next success,
      // so a row with last_error is failing now; a pause (retry_after) always comes with its error.
      // A first sync that failed is failing, not in progress.
      syncPending: row.sync_pending === true,
      syncFailures: inSyncOrder(row.sync_failures ?? []),
      // A recompute is owed when synced data changed after the latest run started (a sync
      // page that changed nothing owes none).
      recomputePending: dataChangedAt !== null && (row.run_started_at === null || dataChangedAt > new Date(row.run_started_at)),
    },
  };
}
