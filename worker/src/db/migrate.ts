import { sql } from 'kysely';
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

/**
 * How long a migration waits for a table's lock before it gives up. An ALTER TABLE queued
 * behind a long transaction would make every later query on that table queue behind it:
 * the whole application would stall while the upgrade waits. Failing fast instead leaves
 * the database as it was (the migrations run in one transaction) and says why.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 10_000;

export interface MigrateOptions {
  readonly lockTimeoutMs?: number;
  /** Migrate up to and including this migration only (tests of an upgrade). */
  readonly to?: string;
}

function providerWith(lockTimeoutMs: number): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(MIGRATIONS)) {
    migrations[name] = {
      up: async (db) => {
        // Transaction-local, like SET LOCAL (which takes no parameters).
        await sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(db);
        await migration.up(db);
      },
      ...(migration.down ? { down: migration.down } : {}),
    };
  }
  return { getMigrations: async () => migrations };
}

export async function migrateToLatest(db: Db, options: MigrateOptions = {}): Promise<void> {
  const lockTimeoutMs = options.lockTimeoutMs ?? MIGRATION_LOCK_TIMEOUT_MS;
  const migrator = new Migrator({ db, provider: providerWith(lockTimeoutMs) });
  const { error, results } = options.to === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.to);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? '';
    // PostgreSQL's lock_not_available: another session holds a lock the migration needs.
    if ((error as { code?: unknown } | undefined)?.code === '55P03') {
      throw new Error(`Database migration ${name} could not lock a table within ${lockTimeoutMs / 1000} s: another session holds it (a long transaction, an open psql session, a process of the older version). End that session, or start again when the database is quiet; nothing was applied.`);
    }
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`Database migration ${name} failed: ${cause}. Fix the database (or restore it) and start again; nothing was half-applied because each migration runs in a transaction.`);
  }
}
