import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration script one statement per query: PGlite (like any extended-protocol
 * client) runs one at a time. Statements end with `;` at the end of a line; a chunk that
 * is only comments is skipped. Not a migration itself (migrate.ts lists those).
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of script.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s.replace(/--.*$/gm, '').trim() !== '')) {
    await sql.raw(statement).execute(db);
  }
}
