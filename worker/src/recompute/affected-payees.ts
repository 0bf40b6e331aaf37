import type { Activity } from '../../../shared/src/domain/activities.js';
import type { Deal } from '../../../shared/src/domain/deals.js';
import type { UserId } from '../../../shared/src/domain/ids.js';
import { dealCredits } from '../../../shared/src/engine/credits.js';
import type { Hierarchy } from '../../../shared/src/engine/hierarchy.js';
import type { RecordChange } from '../db/records.js';

/** Deep enough for any real org chart; roll-up plans choose how many levels they pay. */
const ALL_LEVELS = 20;

/**
 * Who may be paid differently after a record changed: everyone credited by the old or the
 * new version (owner, split members, overlays) and the managers above them as of the
 * deal's close date, old and new.
 */
export function payeesAffectedByDeals(changes: readonly RecordChange<Deal>[], hierarchy: Hierarchy): Set<UserId> {
  const payees = new Set<UserId>();
  for (const change of changes) {
    for (const version of [change.before, change.after]) {
      if (!version) continue;
      payees.add(version.ownerId);
      for (const s of version.splits) payees.add(s.userId);
      // dealCredits refuses split totals that are not 100 %; the people involved are affected all the same.
      const credits = dealCredits(version, hierarchy, ALL_LEVELS);
      if (Array.isArray(credits)) for (const c of credits) payees.add(c.payeeId);
      else for (const p of [...payees]) for (const m of hierarchy.chain(p, version.closeDate, ALL_LEVELS)) payees.add(m);
    }
  }
  return payees;
}

export function payeesAffectedByActivities(changes: readonly RecordChange<Activity>[], hierarchy: Hierarchy): Set<UserId> {
  const payees = new Set<UserId>();
  for (const change of changes) {
    for (const version of [change.before, change.after]) {
      if (!version) continue;
      payees.add(version.userId);
      for (const m of hierarchy.chain(version.userId, version.occurredAt, ALL_LEVELS)) payees.add(m);
    }
  }
  return payees;
}
