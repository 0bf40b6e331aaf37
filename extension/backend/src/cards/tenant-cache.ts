import { sql } from 'kysely';
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
  readonly syncPending: boolean;
  /** CRM data arrived after the last statement run: a recompute is due or running. */
  readonly recomputePending: boolean;
}

/**
 * One tenant's data as of one statement run, and everything computed from it. Cards are
 * a pure function of this snapshot and the as-of day, so results are memoised on it and
 * dropped with it when a newer run appears.
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
  checking: Promise<TenantSnapshot> | undefined;
}

/**
 * Per-tenant cache of the dataset, plans and engine index. Invalidation is by statement
 * run: at most every `checkMs` one small query asks for the tenant's latest run, and a new
 * run id (or, before the first run, newer synced data) reloads the tenant. Concurrent
 * requests share one check and one load.
 */
export class TenantCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly checkMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The tenant's snapshot, or undefined when no such tenant exists. A snapshot checked
   * within `checkMs` is served as is; one checked within five times that is served while
   * a check runs in the background (so no request waits for the probe); an older one, or
   * none, waits for the check.
   */
  async get(tenantId: string): Promise<TenantSnapshot | undefined> {
    let entry = this.entries.get(tenantId);
    const age = entry?.snapshot ? this.now() - entry.checkedAt : Number.POSITIVE_INFINITY;
    if (entry?.snapshot && age < this.checkMs) return entry.snapshot;
    if (!entry) {
      entry = { snapshot: undefined, checkedAt: 0, checking: undefined };
      this.entries.set(tenantId, entry);
    }
    const current = entry;
    current.checking ??= this.refresh(tenantId, current).finally(() => {
      current.checking = undefined;
    });
    const check = current.checking.catch((error: unknown) => {
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

  /** Drops a tenant's snapshot now (a statement run finished in this process, a test changed data). */
  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  private async refresh(tenantId: string, entry: Entry): Promise<TenantSnapshot> {
    const checkedAt = this.now();
    const probe = await readVersion(this.db, tenantId);
    if (!probe) throw new UnknownTenant();
    if (entry.snapshot && entry.snapshot.version === probe.version) {
      entry.snapshot.status = probe.status;
      entry.checkedAt = checkedAt;
      return entry.snapshot;
    }
    const [data, plans, locked] = await Promise.all([loadDataset(this.db, tenantId), loadPlans(this.db, tenantId), loadLockedPeriods(this.db, tenantId)]);
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
  admins: string | null;
}

async function readVersion(db: Db, tenantId: string): Promise<{ version: string; status: TenantStatus } | undefined> {
  const result = await sql<VersionRow>`
    select t.status, t.data_changed_at,
      r.run_id, r.finished_at as run_at, r.started_at as run_started_at,
      (select max(synced_at) from sync_cursors where tenant_id = t.id) as sync_at,
      (select bool_or(phase = 'initial' or retry_after > now()) from sync_cursors where tenant_id = t.id) as sync_pending,
      (select string_agg(user_id, ',' order by user_id) from tenant_roles where tenant_id = t.id and role = 'admin') as admins
    from tenants t
    left join lateral (select run_id, started_at, finished_at from statement_runs where tenant_id = t.id order by finished_at desc limit 1) r on true
    where t.id = ${tenantId}`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const runAt = row.run_at === null ? null : new Date(row.run_at);
  const syncAt = row.sync_at === null ? null : new Date(row.sync_at);
  return {
    // Before the first run, newer synced data is the only sign the snapshot is out of date.
    version: row.run_id ?? `sync@${syncAt?.toISOString() ?? 'never'}`,
    status: {
      active: row.status === 'active',
      admins: new Set((row.admins ?? '').split(',').filter(Boolean)),
      lastRunAt: runAt,
      lastSyncAt: syncAt,
      syncPending: row.sync_pending === true,
      // A recompute is owed when synced data changed after the latest run started (a sync
      // page that changed nothing owes none).
      recomputePending: row.data_changed_at !== null && (row.run_started_at === null || new Date(row.data_changed_at) > new Date(row.run_started_at)),
    },
  };
}
