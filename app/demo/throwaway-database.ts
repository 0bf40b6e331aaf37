import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { openDatabase, type Db } from '../../worker/src/db/database.js';
import { migrateToLatest } from '../../worker/src/db/migrate.js';

/** Kept between runs (under the git-ignored .data/): an initialised, migrated, empty embedded database. */
const TEMPLATE_DIR = '.data/demo-template';

/**
 * A fresh embedded database for one demo run, deleted when the run ends. PGlite's initdb
 * takes 10–20 s on a busy machine; opening an initialised data directory takes about one,
 * so the first run initialises a template and every run starts from a copy of it (the
 * copy is migrated again, so a template made before a new migration is still right).
 */
export async function openThrowawayDatabase(log: (line: string) => void): Promise<{ db: Db; dispose(): Promise<void> }> {
  const template = resolve(TEMPLATE_DIR);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    log('initialising the embedded database template (first run only)');
    rmSync(template, { recursive: true, force: true });
    mkdirSync(dirname(template), { recursive: true });
    const db = await openDatabase({ kind: 'embedded', dataDir: template });
    await migrateToLatest(db);
    await db.destroy();
  }
  const dir = mkdtempSync(join(tmpdir(), 'spm-demo-'));
  cpSync(template, dir, { recursive: true });
  const db = await openDatabase({ kind: 'embedded', dataDir: dir });
  return {
    db,
    dispose: async () => {
      await db.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
