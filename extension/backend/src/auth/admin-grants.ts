import type { Db } from '../../../../worker/src/db/database.js';

/**
 * Admins are granted, not inferred: the install callback grants the installing user, and
 * an admin can grant others. Reps and managers need no grant: they follow from the synced
 * users and the effective-dated hierarchy. Card requests see a change within
 * CARD_CACHE_CHECK_MS (the grant list is re-read with each cache check).
 */
export async function grantAdmin(db: Db, tenantId: string, userId: string, grantedBy: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const inserted = await tx.insertInto('tenant_roles').values({ tenant_id: tenantId, user_id: userId, role: 'admin', granted_by: grantedBy }).onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'role']).doNothing()).returning('user_id').executeTakeFirst();
    if (inserted) await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor: grantedBy, action: 'role.granted', target: userId, details: JSON.stringify({ role: 'admin' }) }).execute();
  });
}

export async function revokeAdmin(db: Db, tenantId: string, userId: string, revokedBy: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const removed = await tx.deleteFrom('tenant_roles').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('role', '=', 'admin').executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor: revokedBy, action: 'role.revoked', target: userId, details: JSON.stringify({ role: 'admin' }) }).execute();
  });
}

export async function isAdmin(db: Db, tenantId: string, userId: string): Promise<boolean> {
  return (await db.selectFrom('tenant_roles').select('user_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('role', '=', 'admin').executeTakeFirst()) !== undefined;
}
