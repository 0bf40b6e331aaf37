import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { generatePlans, type RawPlan } from '../../shared/src/synthetic/index.js';

/**
 * The canonical dataset's people as the CRM knows them: every user id replaced by the id
 * the sync stored (the CRM's owner or User id), so the generated plans name real payees.
 * Users the CRM has no id for are left out (and so are not on a plan).
 */
function withSyncedUserIds(dataset: RawDataset, syncedId: (canonicalId: string) => string | undefined): RawDataset {
  const users = dataset.users.flatMap((u) => {
    const synced = syncedId(u.id);
    return synced ? [{ ...u, id: synced }] : [];
  });
  const teams = (dataset.teams ?? []).map((t) => ({
    ...t,
    ...(t.managerId !== undefined ? { managerId: syncedId(t.managerId) ?? t.managerId } : {}),
    members: t.members.flatMap((m) => {
      const canonical = typeof m === 'string' ? m : m.userId;
      const synced = syncedId(canonical);
      if (!synced) return [];
      return [typeof m === 'string' ? synced : { ...m, userId: synced }];
    }),
  }));
  const quotas = (dataset.quotas ?? []).flatMap((q) => {
    if (q.userId === undefined) return [q];
    const synced = syncedId(q.userId);
    return synced ? [{ ...q, userId: synced }] : [];
  });
  return { ...dataset, users, teams, quotas } as RawDataset;
}

/** The demo's plans (an AE plan and a first-line-manager plan) for the synced people of one CRM. */
export function demoPlans(dataset: RawDataset, year: number, syncedId: (canonicalId: string) => string | undefined): RawPlan[] {
  return generatePlans(withSyncedUserIds(dataset, syncedId), year);
}
