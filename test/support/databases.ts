import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../worker/src/db/database.js';
import { migrateToLatest } from '../../worker/src/db/migrate.js';

/**
 * The storage suites run on both targets: the real PostgreSQL server on this machine
 * (a fresh database per suite, dropped afterwards) and the embedded PGlite default.
 */
export const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly name: 'postgresql' | 'pglite';
  readonly db: Db;
  readonly url: string | undefined;
  drop(): Promise<void>;
}

/** `migrateTo`: stop after this migration (a database as an older release left it, to test an upgrade). */
export async function createServerDatabase(options: { readonly migrateTo?: string } = {}): Promise<TestDatabase> {
  const dbName = `spm_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const db = await openDatabase({ kind: 'server', url });
  await migrateToLatest(db, options.migrateTo === undefined ? {} : { to: options.migrateTo });
  return {
    name: 'postgresql',
    db,
    url,
    drop: async () => {
      await db.destroy();
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${dbName} with (force)`);
      await client.end();
    },
  };
}

export async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const db = await openDatabase({ kind: 'embedded', dataDir: undefined });
  await migrateToLatest(db);
  return { name: 'pglite', db, url: undefined, drop: () => db.destroy() };
}

export const DATABASE_TARGETS = [
  ['postgresql', createServerDatabase],
  ['pglite', createEmbeddedDatabase],
] as const;
