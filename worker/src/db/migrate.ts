import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Db } from './database.js';
import * as initial from './migrations/0001-initial.js';
import * as connections from './migrations/0002-connections.js';
import * as cardApi from './migrations/0003-card-api.js';
import * as admin from './migrations/0004-admin.js';
import * as dataChangedAt from './migrations/0005-data-changed-at.js';
import * as syncedAt from './migrations/0006-synced-at.js';
import * as adminStateVersion from './migrations/0007-admin-state-version.js';

/**
 * Migrations are TypeScript modules listed here in order (Kysely's Migrator keeps the
 * applied ones in its own table and takes a lock, so two processes starting at once
 * migrate once). A static list rather than a folder scan: the bundle and the tests see
 * exactly the same migrations.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-connections': connections,
  '0003-card-api': cardApi,
  '0004-admin': admin,
  '0005-data-changed-at': dataChangedAt,
  '0006-synced-at': syncedAt,
  '0007-admin-state-version': adminStateVersion,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${cause}. Fix the database (or restore it) and start again; nothing was half-applied because each migration runs in a transaction.`);
  }
}
