import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { parse as parseYaml } from 'yaml';
import { parseDataset } from '../../../shared/src/input/dataset.schema.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { createAdminRouter, type AdminRouterDeps } from '../../../extension/backend/src/admin/admin-router.js';
import { setPrincipal } from '../../../extension/backend/src/auth/principal.js';
import type { Role } from '../../../extension/backend/src/cards/view-models.js';
import { errorHandler } from '../../../extension/backend/src/http/api-failure.js';
import type { Db } from '../../../worker/src/db/database.js';
import { importDataset } from '../../../worker/src/db/import-dataset.js';
import { savePlanVersion } from '../../../worker/src/db/plans.js';
import { createLogger } from '../../../worker/src/observability/logger.js';

const ROOT = join(import.meta.dirname, '../../..');
export const TENANT = 'acme';
/** Mid Q4 2026: Q2 and Q3 have ended, so they can be approved and locked. */
export const TODAY = '2026-10-15' as IsoDate;

/**
 * The example tenant (examples/data/acme.json) with the four example plans published as
 * v1, in a database migrated by the worker's migrations.
 */
export async function seedAcme(db: Db): Promise<void> {
  const dataset = parseDataset(JSON.parse(readFileSync(join(ROOT, 'examples/data/acme.json'), 'utf8')), 'acme.json');
  await importDataset(db, dataset, { source: 'file', externalId: 'acme', modifiedAt: '2026-10-01T00:00:00Z', actor: 'seed' });
  const dir = join(ROOT, 'examples/plans');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    await savePlanVersion(db, TENANT, parseYaml(readFileSync(join(dir, file), 'utf8')), 'seed');
  }
}

export function examplePlanText(file: string): string {
  return readFileSync(join(ROOT, 'examples/plans', file), 'utf8');
}

/**
 * The admin router behind a stand-in for the backend's admin-session guard: the principal
 * comes from the x-test-principal header (JSON), or is absent, and the backend's own error
 * handler renders what the router does not. (test/browser signs in with a real session.)
 */
export function adminTestApp(db: Db, extra: Partial<AdminRouterDeps> = {}): Express {
  const logger = createLogger({ level: 'silent' });
  const app = express();
  app.use('/api/admin', (req, _res, next) => {
    const header = req.header('x-test-principal');
    if (header) {
      const { tenantId, userId, roles } = JSON.parse(header) as { tenantId: string; userId: string; roles: Role[] };
      setPrincipal(req, { tenantId, userId, via: 'session', grantedRoles: roles });
    }
    next();
  });
  app.use('/api/admin', createAdminRouter({ db, today: () => TODAY, logger, ...extra }));
  app.use(errorHandler(logger));
  return app;
}

export const principal = (tenantId: string, userId: string, roles: Role[]): string => JSON.stringify({ tenantId, userId, roles });
export const ADMIN = principal(TENANT, 'mia', ['admin']);
