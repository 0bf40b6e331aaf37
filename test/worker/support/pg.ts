import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../../worker/src/db/database.js';
import type { DatabaseSchema } from '../../../worker/src/db/schema.js';

/** The CI PostgreSQL (trust auth); each suite creates its own database there. */
export const PG_ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string, applicationName?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (applicationName) u.searchParams.set('application_name', applicationName);
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one suite, holding the test handler's tables:
 * - job_runs: one row per execution of a handler (the execution counter, with attempt and worker);
 * - job_results: the handler's idempotent effect, keyed by a job-derived key, written
 *   with ON CONFLICT DO NOTHING (so "exactly one result row" holds even if a job runs twice).
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `spm_worker_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomUUID().slice(0, 8)}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = withDatabase(PG_ADMIN_URL, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      create table job_runs (
        run_id bigserial primary key,
        job_id text not null,
        attempt int not null,
        worker text not null,
        cause text,
        started_at timestamptz not null default clock_timestamp()
      );
      create table job_results (
        result_key text primary key,
        job_id text not null,
        worker text not null,
        payload jsonb not null,
        created_at timestamptz not null default clock_timestamp()
      );`);
  } finally {
    await client.end();
  }
  return { name, url, drop: () => admin(async (c) => void (await c.query(`drop database if exists ${name} with (force)`))) };
}

/** The URL the worker under test uses, tagged so a test can find (and terminate) its connections. */
export function workerUrl(db: TestDatabase, applicationName: string): string {
  return withDatabase(db.url, db.name, applicationName);
}

/**
 * A Kysely over a pg Pool, as worker/src/db/database.ts builds it, plus one thing it lacks
 * today: an 'error' listener on every client. Without it, a connection dropped while a
 * client is checked out (pg_terminate_backend mid-query) emits an unhandled 'error' and
 * kills the process (see the known-bug test in faults-connections.test.ts).
 */
export function openResilientDb(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

export async function countRuns(db: Db, jobId?: string): Promise<number> {
  const r = jobId === undefined ? await sql<{ n: string }>`select count(*) as n from job_runs`.execute(db) : await sql<{ n: string }>`select count(*) as n from job_runs where job_id = ${jobId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function countResults(db: Db, jobId?: string): Promise<number> {
  const r = jobId === undefined ? await sql<{ n: string }>`select count(*) as n from job_results` .execute(db) : await sql<{ n: string }>`select count(*) as n from job_results where job_id = ${jobId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function runsOf(db: Db, jobId: string): Promise<Array<{ attempt: number; worker: string; cause: string | null; startedAt: Date }>> {
  const r = await sql<{ attempt: number; worker: string; cause: string | null; started_at: Date }>`select attempt, worker, cause, started_at from job_runs where job_id = ${jobId} order by run_id`.execute(db);
  return r.rows.map((x) => ({ attempt: x.attempt, worker: x.worker, cause: x.cause, startedAt: x.started_at }));
}

export async function causesRun(db: Db): Promise<string[]> {
  const r = await sql<{ cause: string }>`select cause from job_runs order by run_id`.execute(db);
  return r.rows.map((x) => x.cause);
}
