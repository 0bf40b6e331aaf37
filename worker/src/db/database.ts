import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.js';

const DATE_OID = 1082;
const INT8_OID = 20;

export type Db = Kysely<DatabaseSchema>;

export type DatabaseTarget =
  | { readonly kind: 'server'; readonly url: string; readonly maxConnections?: number }
  | { readonly kind: 'embedded'; readonly dataDir: string | undefined };

/** Which database a process uses: a server with DATABASE_URL, otherwise the embedded default. */
export function databaseTarget(env: { readonly DATABASE_URL?: string | undefined; readonly SPM_DATA_DIR?: string | undefined }): DatabaseTarget {
  if (env.DATABASE_URL) return { kind: 'server', url: env.DATABASE_URL };
  return { kind: 'embedded', dataDir: env.SPM_DATA_DIR ?? '.data/pglite' };
}

/**
 * Opens the database behind one Kysely instance. The embedded default is PGlite (the
 * PostgreSQL engine compiled to WebAssembly), so both targets run the same SQL: every
 * query and migration is written once. Both return calendar dates as 'YYYY-MM-DD',
 * int8 as numbers and numeric as strings (exact money).
 */
export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  if (target.kind === 'embedded') {
    const pglite = await PGlite.create(target.dataDir, { parsers: { [DATE_OID]: (v: string) => v, [INT8_OID]: (v: string) => Number(v) } });
    return new Kysely<DatabaseSchema>({ dialect: new PGliteDialect({ pglite }) });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.maxConnections ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === DATE_OID) return (v: string) => v;
        if (oid === INT8_OID) return (v: string) => Number(v);
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A dropped connection is reported by the query that used it (and the job retries); it
  // must never crash the process, whether it was idle in the pool or checked out by a
  // transaction whose ROLLBACK then meets a dead socket.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

/** True when the database answers within 2 s (a health check must not hang on a dead host). */
export async function pingDatabase(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sql`select 1`.execute(db).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 2_000);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
