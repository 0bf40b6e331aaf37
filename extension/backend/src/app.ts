import { randomUUID } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import { sql } from 'kysely';
import type { Db } from '../../../worker/src/db/database.js';
import type { Logger } from '../../../worker/src/observability/logger.js';
import type { Enqueue } from '../../../worker/src/queues/handler-registry.js';
import type { TokenCipher } from '../../../worker/src/secrets/token-cipher.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { authenticateCardRequest } from './auth/card-auth.js';
import { credentialRoutes } from './auth/credential-routes.js';
import { jsonKeepingRawBody } from './auth/raw-body.js';
import { CredentialVerifier } from './auth/salesforce-credentials.js';
import { requireAdminSession, type SessionSettings } from './auth/session.js';
import { cardRoutes } from './cards/card-routes.js';
import { TenantCache } from './cards/tenant-cache.js';
import { CARD_API_BASE } from './cards/view-models.js';
import type { BackendConfig } from './config.js';
import { errorHandler, notFoundRoute } from './http/api-failure.js';

export interface AppDeps {
  readonly db: Db;
  readonly enqueue: Enqueue;
  /** For routers that read CRM tokens (the connectors'); the card API itself holds no tokens. */
  readonly cipher: TokenCipher;
  readonly config: BackendConfig;
  readonly logger: Logger;
  /** The connectors' install, OAuth-callback and webhook routers: mounted first, at the root, with their own body parsing. */
  readonly crmRouters?: readonly Router[];
  /** The admin console's API (mounted at /api/admin behind the admin-session guard). */
  readonly adminRouter?: Router;
  /** Built admin console (static files), served at /console. */
  readonly consoleDir?: string;
  /** Tests fix the clock; production uses the system's. */
  readonly clock?: () => Date;
}

export interface CardApiApp extends Express {
  /** Drops a tenant's cached data (call after a statement run in this process; runs elsewhere are noticed within CARD_CACHE_CHECK_MS). */
  readonly invalidateTenant: (tenantId: string) => void;
}

export function sessionSettings(config: BackendConfig): SessionSettings {
  return { secret: config.sessionSecret, secure: config.sessionCookieSecure, ttlMs: config.sessionTtlMs };
}

/**
 * The backend's HTTP surface:
 *   /healthz, /readyz                 liveness and readiness (database reachable)
 *   (crmRouters)                      install, OAuth callbacks, webhooks (the connectors')
 *   /api/cards/v1/**                  card view models (HubSpot signature, Salesforce credential or session)
 *   /api/admin/**                     admin console API (admin session): credentials here, the rest from adminRouter
 *   /console                          the admin console's static files
 */
export function createApp(deps: AppDeps): CardApiApp {
  const { db, config, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().getTime();
  const today = () => clock().toISOString().slice(0, 10) as IsoDate;
  const cache = new TenantCache(db, config.cacheCheckMs, now);
  const credentials = new CredentialVerifier(db, config.cacheCheckMs);
  const session = sessionSettings(config);

  const app = express() as unknown as CardApiApp;
  app.disable('x-powered-by');
  // Cards are personal and never cached (no-store below), so hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // Only with a proxy in front: req.protocol and req.ip then come from X-Forwarded-*; otherwise those headers are ignored.
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.locals['requestId'] = randomUUID();
    res.setHeader('cache-control', 'no-store');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await sql`select 1`.execute(db);
      res.json({ ok: true });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed: database unreachable');
      res.status(503).json({ error: { code: 'not_ready', message: 'The database is unreachable', fix: 'check DATABASE_URL and that PostgreSQL is up' } });
    }
  });

  for (const router of deps.crmRouters ?? []) app.use(router);

  app.use(CARD_API_BASE, jsonKeepingRawBody(), authenticateCardRequest({ config, cache, credentials, session, now }), cardRoutes({ db, cache, enqueue: deps.enqueue, today, promptsFreshForMs: config.cacheCheckMs }));

  const admin = express.Router();
  admin.use(requireAdminSession(session, now));
  admin.use(credentialRoutes(db));
  if (deps.adminRouter) admin.use(deps.adminRouter);
  app.use('/api/admin', admin);

  if (deps.consoleDir) {
    app.use('/console', express.static(deps.consoleDir, { index: 'index.html', fallthrough: true }));
    // Client-side routes of the single-page console resolve to its index.
    app.get('/console/*rest', (_req, res) => res.sendFile('index.html', { root: deps.consoleDir! }));
  }

  app.use(notFoundRoute);
  app.use(errorHandler(logger));
  Object.defineProperty(app, 'invalidateTenant', { value: (tenantId: string) => cache.invalidate(tenantId) });
  return app;
}
