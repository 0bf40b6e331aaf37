import type { Quota } from '../../../shared/src/domain/quotas.js';
import { measureKey } from '../../../shared/src/domain/quotas.js';
import type { Transaction } from 'kysely';
import type { Db } from './database.js';
import type { DatabaseSchema } from './schema.js';
import { bumpAdminStateVersion } from './admin-state-version.js';

/** Quota versions are appended, never edited: a change is a new version with its effective date. */
export async function saveQuotas(db: Db, tenantId: string, quotas: readonly Quota[], actor: string): Promise<void> {
  if (quotas.length === 0) return;
  await db.transaction().execute((tx) => saveQuotasInTransaction(tx, tenantId, quotas, actor));
}

/** Appends the quota versions not stored yet and returns how many were new (a CRM sync re-sends the same goals every run). */
export async function saveQuotasInTransaction(tx: Transaction<DatabaseSchema>, tenantId: string, quotas: readonly Quota[], actor: string): Promise<number> {
  if (quotas.length === 0) return 0;
  const inserted = await tx
      .insertInto('quotas')
      .values(
        quotas.map((q) => ({
          tenant_id: tenantId,
          id: q.id,
          version: q.version,
          user_id: 'userId' in q.owner ? q.owner.userId : null,
          team_id: 'teamId' in q.owner ? q.owner.teamId : null,
          measure: measureKey(q.measure),
          period_id: q.period,
          target: q.target.toString(),
          currency: q.currency ?? null,
          phasing: q.phasing ? JSON.stringify(Object.fromEntries([...q.phasing].map(([k, v]) => [k, v.toString()]))) : null,
          effective_from: q.effectiveFrom,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'id', 'version']).doNothing())
      .returning(['id', 'version'])
      .execute();
  if (inserted.length > 0) {
    // The admin console's state version (migration 0007), moved in this transaction: readers see the new version exactly when they can see these rows.
    await bumpAdminStateVersion(tx, tenantId);
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'quotas.saved', target: `${inserted.length} quota version(s)`, details: JSON.stringify({ ids: inserted.map((q) => `${q.id}@${q.version}`) }) }).execute();
  }
  return inserted.length;
}
