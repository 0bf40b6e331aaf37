import type { Activity } from '../domain/activities.js';
import type { Dataset } from '../domain/dataset.js';
import type { Deal } from '../domain/deals.js';
import type { UserId } from '../domain/ids.js';
import type { ManagerLink } from '../domain/people.js';
import { activityCredits, dealCredits } from './credits.js';
import type { TenantIndex } from './tenant-index.js';

/** Plans roll credit up at most this many levels (plan.schema.ts), so a chain this deep holds every payee a record can credit. */
const DEEPEST_ROLLUP = 10;

/**
 * The records that can credit one payee: the only ones a run restricted to that payee
 * reads. A payee's statement is built from the records crediting them (under any plan's
 * roll-up depth, which is at most DEEPEST_ROLLUP) and from data that is not records
 * (users, hierarchy, quotas, FX), so a run on this share of the data gives the same
 * statement as one on all of it, while each run scans tens of records instead of the tenant.
 * Exceptions about other records (unknown stages, splits not totalling 100) are not
 * raised in such a run: callers that only read the payee's statement do not see them.
 */
export interface PayeeShare {
  /** Deals crediting the payee, in input order (ties in the engine's (date, id) order keep it). */
  readonly deals: readonly Deal[];
  readonly activities: readonly Activity[];
}

export function payeeShare(index: TenantIndex, payeeId: UserId): PayeeShare {
  // Working out a record's credits walks the hierarchy on its date; most records cannot reach the payee at all, which a set look-up tells.
  const reaching = everReportingTo(index.data.managers, payeeId);
  const mayCredit = (userId: UserId): boolean => reaching.has(userId);
  const deals = index.data.deals.filter((deal) => {
    if (!mayCredit(deal.ownerId) && !deal.splits.some((s) => mayCredit(s.userId))) return false;
    const credits = dealCredits(deal, index.hierarchy, DEEPEST_ROLLUP);
    return Array.isArray(credits) && credits.some((c) => c.payeeId === payeeId);
  });
  const activities = index.data.activities.filter((activity) => mayCredit(activity.userId) && activityCredits(activity, index.hierarchy, DEEPEST_ROLLUP).some((c) => c.payeeId === payeeId));
  return { deals, activities };
}

/**
 * The payee and everyone who reported to them, within DEEPEST_ROLLUP levels, under any
 * reporting lines on any date: a superset of whose records can credit them on the day
 * they close, since the chain on one date follows only some of these lines.
 */
function everReportingTo(links: readonly ManagerLink[], payeeId: UserId): Set<UserId> {
  const reportsOf = new Map<UserId, UserId[]>();
  for (const link of links) {
    if (link.managerId === null) continue;
    const list = reportsOf.get(link.managerId);
    if (list) list.push(link.userId);
    else reportsOf.set(link.managerId, [link.userId]);
  }
  const reached = new Set<UserId>([payeeId]);
  let level: UserId[] = [payeeId];
  for (let depth = 0; depth < DEEPEST_ROLLUP && level.length > 0; depth++) {
    const next: UserId[] = [];
    for (const managerId of level) {
      for (const userId of reportsOf.get(managerId) ?? []) {
        if (reached.has(userId)) continue;
        reached.add(userId);
        next.push(userId);
      }
    }
    level = next;
  }
  return reached;
}

/**
 * The index of a payee's share of the data, sharing everything that does not depend on
 * the records with `base` (the index of the whole tenant). `changed` are the share's
 * deals that differ from the tenant's (estimated as won): looking a deal up by id sees
 * them, and every other deal of the tenant as it is, as corrections to locked periods need.
 */
export function shareIndex(base: TenantIndex, deals: readonly Deal[], activities: readonly Activity[], changed: ReadonlyMap<string, Deal>): TenantIndex {
  const data: Dataset = { ...base.data, deals, activities };
  return {
    data,
    users: base.users,
    dealsById: new DealsWithChanges(base, changed),
    hierarchy: base.hierarchy,
    fx: base.fx,
    stages: base.stages,
    wonStageByPipeline: base.wonStageByPipeline,
    quotas: base.quotas,
  };
}

/** The tenant's deals by id with a few replaced, without copying the tenant's map. */
class DealsWithChanges implements ReadonlyMap<string, Deal> {
  private merged: Map<string, Deal> | undefined;

  constructor(
    private readonly base: TenantIndex,
    private readonly changed: ReadonlyMap<string, Deal>,
  ) {}

  get(id: string): Deal | undefined {
    return this.changed.get(id) ?? this.base.dealsById.get(id);
  }

  has(id: string): boolean {
    return this.changed.has(id) || this.base.dealsById.has(id);
  }

  get size(): number {
    return this.all().size;
  }

  forEach(callback: (value: Deal, key: string, map: ReadonlyMap<string, Deal>) => void, thisArg?: unknown): void {
    this.all().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): ReturnType<Map<string, Deal>['entries']> {
    return this.all().entries();
  }

  keys(): ReturnType<Map<string, Deal>['keys']> {
    return this.all().keys();
  }

  values(): ReturnType<Map<string, Deal>['values']> {
    return this.all().values();
  }

  [Symbol.iterator](): ReturnType<Map<string, Deal>['entries']> {
    return this.all().entries();
  }

  // Only iteration needs the whole map (the engine never iterates it): built on first use.
  private all(): Map<string, Deal> {
    this.merged ??= new Map([...this.base.dealsById, ...this.changed]);
    return this.merged;
  }
}
