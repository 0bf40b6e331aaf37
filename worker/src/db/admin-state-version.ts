import type { Transaction } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/**
 * Moves the tenant's admin state version (migration 0007), in the writer's transaction:
 * readers see the new version exactly when they can see the rows written. Every write of
 * something the admin console shows (a plan version, a quota version, a period lock) calls
 * this; the admin cache (extension/backend/src/cards/tenant-cache.ts) reloads on it.
 */
export async function bumpAdminStateVersion(tx: Transaction<DatabaseSchema>, tenantId: string): Promise<void> {
  await tx.updateTable('tenants').set((eb) => ({ admin_state_version: eb('admin_state_version', '+', 1) })).where('id', '=', tenantId).execute();
}
