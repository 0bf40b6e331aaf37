import type { Quota } from '../../../shared/src/domain/quotas.js';
import { measureKey } from '../../../shared/src/domain/quotas.js';
import type { Db } from './database.js';

/** Quota versions are appended, never edited: a change is a new version with its effective date. */
export async function saveQuotas(db: Db, tenantId: string, quotas: readonly Quota[], actor: string): Promise<void> {
  if (quotas.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await tx
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
      .execute();
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'quotas.saved', target: `${quotas.length} quota version(s)`, details: JSON.stringify({ ids: quotas.map((q) => `${q.id}@${q.version}`) }) }).execute();
  });
}
