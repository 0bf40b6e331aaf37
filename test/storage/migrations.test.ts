import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../worker/src/db/migrate.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Upgrading a live database: a migration that cannot get a table's lock (another session
 * holds it) gives up after the lock timeout with an error that says so, leaving the database
 * as it was, instead of queueing every later query on that table behind it.
 */
let database: TestDatabase | undefined;

afterEach(async () => {
  await database?.drop();
  database = undefined;
});

describe('migrations on a busy database', () => {
  it('give up on a table another session holds, say so, apply nothing, and succeed once it is released', async () => {
    database = await createServerDatabase({ migrateTo: '0006-synced-at' });
    const { db, url } = database as TestDatabase & { url: string };
    // A long transaction that has read the tenants table: 0007 needs to alter it.
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    await reader.query('begin');
    await reader.query('select count(*) from tenants');

    const started = Date.now();
    const failure = await migrateToLatest(db, { lockTimeoutMs: 300 }).catch((error: unknown) => error);
    expect((failure as Error).message).toBe(
      'Database migration 0007-admin-state-version could not lock a table within 0.3 s: another session holds it (a long transaction, an open psql session, a process of the older version). End that session, or start again when the database is quiet; nothing was applied.',
    );
    // It waited about the lock timeout, not until the reader finished.
    expect(Date.now() - started).toBeLessThan(5_000);
    const columns = async () => (await db.selectFrom('information_schema.columns' as never).select('column_name' as never).where('table_name' as never, '=', 'tenants' as never).execute()).map((c) => (c as { column_name: string }).column_name);
    expect(await columns()).not.toContain('admin_state_version');

    await reader.query('rollback');
    await reader.end();
    await migrateToLatest(db);
    expect(await columns()).toContain('admin_state_version');
  });
});
