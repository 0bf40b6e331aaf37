import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import { statementToJson } from '../../../../shared/src/engine/statement-json.js';
import { formatAmount } from '../../../../shared/src/money/rounding.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import type { Db } from '../../../../worker/src/db/database.js';
import type { TenantCache } from '../cards/tenant-cache.js';
import { savePlanVersion } from '../../../../worker/src/db/plans.js';
import type { Logger } from '../../../../worker/src/observability/logger.js';
import type { JobRunner } from '../../../../worker/src/runtime/job-runner.js';
import { ApiFailure, parseInput } from '../http/api-failure.js';
import { timestampJson, timestampJsonOrNull } from '../http/timestamps.js';
import { decideDispute, listDisputes, openDispute } from './disputes.js';
import { payrollCsv } from './payroll-export.js';
import { adminStateCache, periodStatements, planPeriod, tenantState } from './period-statements.js';
import { approvePeriod, calculatePeriod, listPeriods, lockPeriod } from './period-workflow.js';
import { checkDraft, documentText, simulateDraft } from './plan-drafts.js';
import { adminPrincipal } from './principal.js';
import { importQuotaCsv } from './quota-import.js';
import { requestSync } from './sync-requests.js';
import { pausedUntil } from '../../../../worker/src/db/sync-cursors.js';

export interface AdminRouterDeps {
  readonly db: Db;
  /** The business date the numbers are as of: the server's calendar date (a test fixes it). */
  readonly today: () => IsoDate;
  readonly logger: Logger;
  /** The job runner, for the queue-health page and "Sync now" (enqueue); absent means the console says so. */
  readonly jobs?: Pick<JobRunner, 'health' | 'counts' | 'enqueue'> | undefined;
  /** Where "Connect HubSpot / Connect Salesforce" send the admin: the connectors' install routes. */
  readonly connectLinks?: { readonly hubspot: string; readonly salesforce: string } | undefined;
  /** The tenants' current states; absent means a cache of this router's own (adminStateCache). */
  readonly states?: TenantCache | undefined;
  /** The clock a sync pause (sync_cursors.retry_after) is compared with; absent means the system clock. */
  readonly now?: (() => Date) | undefined;
}

/**
 * The connectors' install routes where their routers suggest mounting them
 * (connectors/hubspot/http-routes.ts at /hubspot, connectors/salesforce/router.ts at
 * /oauth/salesforce), bringing the admin back to this console afterwards.
 */
export const DEFAULT_CONNECT_LINKS = {
  hubspot: `/hubspot/install?returnTo=${encodeURIComponent('/console/#/connect')}`,
  salesforce: `/oauth/salesforce/connect?returnTo=${encodeURIComponent('/console/#/connect')}`,
} as const;

const draftBody = z.object({ text: z.string().max(1_000_000), period: z.string().optional() });
const quotaBody = z.object({ csv: z.string().max(10_000_000) });

function param(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || value === '') throw new ApiFailure('bad_request', `missing ${name}`, `put the ${name} in the URL`);
  return value;
}

/**
 * Where the sync of one CRM object stands, from its sync_cursors row (worker/src/db/sync-cursors.ts):
 * paused while a recorded pause (retry_after, which always comes with its error) runs; failing
 * while a failure is recorded (the object's next success clears it); its first sync still
 * running while it is in the initial phase without an error; up to date otherwise.
 */
export type SyncState = 'paused' | 'failing' | 'first-sync' | 'up-to-date';

export interface SyncStatus {
  readonly source: string;
  readonly object: string;
  readonly state: SyncState;
  /** When a page of the object last committed; null when none has. */
  readonly lastSyncedAt: string | null;
  /** The error the worker recorded, in full (admins only: it may quote CRM data); null when none is. */
  readonly error: string | null;
  /** Until when syncing the object is paused; null unless that is later than now. */
  readonly pausedUntil: string | null;
}

function syncStatus(row: { source: string; object: string; phase: string; last_error: string | null; retry_after: unknown; synced_at: unknown }, now: Date): SyncStatus {
  const until = pausedUntil(row.retry_after as Date | null, now);
  const state: SyncState = until ? 'paused' : row.last_error !== null ? 'failing' : row.phase === 'initial' ? 'first-sync' : 'up-to-date';
  return { source: row.source, object: row.object, state, lastSyncedAt: timestampJsonOrNull(row.synced_at), error: row.last_error, pausedUntil: until?.toISOString() ?? null };
}

const query = (req: Request, name: string): string | undefined => (typeof req.query[name] === 'string' && req.query[name] !== '' ? (req.query[name] as string) : undefined);

/**
 * The admin API behind the console, mounted at /api/admin. Every route acts for the
 * authenticated principal's tenant only (set by the backend's admin-session guard and
 * read with principalOf; the admin role is required) and never takes a tenant from the
 * request. Mount it behind requireAdminSession: createApp({ adminRouter }). Numbers come from the same engine, repositories and ledger
 * the worker uses; amounts travel as exact decimal strings.
 */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const { db } = deps;
  const states = deps.states ?? adminStateCache(db);
  const stateOf = (tenantId: string) => tenantState(states, tenantId);
  // Every write below moves tenants.admin_state_version in its own transaction, and each
  // request checks it (basis 'current', see readVersion in tenant-cache.ts): the next request,
  // in this process or another, sees the write without the writer dropping anything.
  const now = deps.now ?? (() => new Date());
  const router = Router();
  router.use(express.json({ limit: '12mb' }));
  router.use(express.text({ type: ['text/csv', 'text/plain'], limit: '10mb' }));
  const who = (req: Request) => adminPrincipal(req);

  router.get('/connections', async (req, res) => {
    const { tenantId } = who(req);
    const tenant = await db.selectFrom('tenants').select(['id', 'name', 'source', 'status', 'home_currency']).where('id', '=', tenantId).executeTakeFirst();
    const connections = await db.selectFrom('crm_connections').select(['source', 'status', 'last_error', 'token_expires_at', 'updated_at']).where('tenant_id', '=', tenantId).execute();
    const cursors = await db.selectFrom('sync_cursors').select(['source', 'object', 'phase', 'last_error', 'retry_after', 'synced_at']).where('tenant_id', '=', tenantId).orderBy('source').orderBy('object').execute();
    const at = now();
    res.json({
      tenant: tenant ?? null,
      connections: connections.map((c) => ({ source: c.source, status: c.status, lastError: c.last_error, updatedAt: timestampJson(c.updated_at) })),
      syncs: cursors.map((c) => syncStatus(c, at)),
      links: deps.connectLinks ?? DEFAULT_CONNECT_LINKS,
    });
  });

  // "Sync now": one object of the admin's tenant, queued as an incremental sync (sync-requests.ts).
  router.post('/syncs/:source/:object/run', async (req, res) => {
    const { tenantId, userId } = who(req);
    const [source, object] = [param(req, 'source'), param(req, 'object')];
    const result = await requestSync(db, deps.jobs, { tenantId, userId, source, object, now: now() });
    deps.logger.info({ tenantId, source, object, actor: userId, ...result }, 'sync requested');
    res.status(202).json(result);
  });

  // ---- plans ------------------------------------------------------------------------
  router.get('/plans', async (req, res) => {
    const { tenantId } = who(req);
    const rows = await db.selectFrom('plans').select(['plan_id', 'version', 'document', 'effective_from', 'effective_to', 'created_by', 'created_at']).where('tenant_id', '=', tenantId).orderBy('plan_id').orderBy('version').execute();
    const byId = new Map<string, typeof rows>();
    for (const r of rows) byId.set(r.plan_id, [...(byId.get(r.plan_id) ?? []), r]);
    res.json({
      plans: [...byId].map(([id, versions]) => {
        const latest = versions[versions.length - 1]!;
        const doc = latest.document as { name?: unknown; period?: unknown; currency?: unknown };
        return {
          id,
          name: typeof doc.name === 'string' ? doc.name : id,
          period: doc.period,
          currency: doc.currency,
          latestVersion: latest.version,
          latestText: documentText(latest.document),
          versions: versions.map((v) => ({ version: v.version, effectiveFrom: v.effective_from, effectiveTo: v.effective_to, createdBy: v.created_by, createdAt: timestampJson(v.created_at) })),
        };
      }),
    });
  });

  router.post('/plans/validate', async (req, res) => {
    const { tenantId } = who(req);
    const { text } = parseInput(draftBody, req.body, 'request body');
    const check = checkDraft(text, await stateOf(tenantId));
    res.json(check.ok ? { ok: true, planId: check.plan.id, version: check.plan.version, issues: [] } : { ok: false, issues: check.issues });
  });

  router.post('/plans/simulate', async (req, res) => {
    const { tenantId } = who(req);
    const { text, period } = parseInput(draftBody, req.body, 'request body');
    const state = await stateOf(tenantId);
    const check = checkDraft(text, state);
    if (!check.ok) {
      throw new ApiFailure('invalid_input', 'the draft has problems', 'correct the lines marked in the editor', check.issues);
    }
    res.json(simulateDraft(check.plan, state, deps.today(), period));
  });

  router.post('/plans', async (req, res) => {
    const { tenantId, userId } = who(req);
    const { text } = parseInput(draftBody, req.body, 'request body');
    const check = checkDraft(text, await stateOf(tenantId));
    if (!check.ok) {
      throw new ApiFailure('invalid_input', 'the draft has problems', 'correct the lines marked in the editor', check.issues);
    }
    const plan = await savePlanVersion(db, tenantId, check.document, userId);
    deps.logger.info({ tenantId, planId: plan.id, version: plan.version, actor: userId }, 'plan published');
    res.status(201).json({ planId: plan.id, version: plan.version, effectiveFrom: plan.effectiveFrom, next: 'calculate the open periods to apply it' });
  });

  // ---- quotas -----------------------------------------------------------------------
  router.get('/quotas', async (req, res) => {
    const { tenantId } = who(req);
    const rows = await db.selectFrom('quotas').selectAll().where('tenant_id', '=', tenantId).orderBy('period_id', 'desc').orderBy('id').orderBy('version').execute();
    res.json({ quotas: rows.map((q) => ({ id: q.id, version: q.version, userId: q.user_id, teamId: q.team_id, measure: q.measure, period: q.period_id, target: q.target, currency: q.currency, effectiveFrom: q.effective_from })) });
  });

  router.post('/quotas/import', async (req, res) => {
    const { tenantId, userId } = who(req);
    const csv = typeof req.body === 'string' ? req.body : parseInput(quotaBody, req.body, 'request body').csv;
    const state = await stateOf(tenantId);
    const result = await importQuotaCsv(db, tenantId, state.data, csv, userId);
    res.status(result.ok ? 200 : 422).json(result);
  });

  // ---- periods ----------------------------------------------------------------------
  router.get('/periods', async (req, res) => {
    const { tenantId } = who(req);
    res.json({ asOf: deps.today(), periods: await listPeriods(db, tenantId, await stateOf(tenantId), deps.today()) });
  });

  const transitions = { calculate: calculatePeriod, approve: approvePeriod, lock: lockPeriod } as const;
  for (const [action, run] of Object.entries(transitions)) {
    router.post(`/periods/:period/${action}`, async (req, res) => {
      const { tenantId, userId } = who(req);
      const state = await stateOf(tenantId);
      const result = await run(db, tenantId, state, param(req, 'period'), deps.today(), userId);
      deps.logger.info({ tenantId, period: result.period, action, actor: userId }, 'period status changed');
      res.json(result);
    });
  }

  // ---- statements -------------------------------------------------------------------
  router.get('/statements', async (req, res) => {
    const { tenantId } = who(req);
    const periodId = query(req, 'period');
    if (!periodId) throw new ApiFailure('bad_request', 'which period?', 'add ?period=2026-Q3');
    const state = await stateOf(tenantId);
    const period = planPeriod(state, periodId);
    const today = deps.today();
    // Worked out once per state, period and day: a big tenant's period takes the engine seconds,
    // and the state is replaced as soon as anything it holds changes (see adminStateCache).
    const { result, computedAt } = await state.remember(`admin-statements|${period.id}|${today}`, () => ({ result: periodStatements(state, period, today), computedAt: now().toISOString() }));
    res.json({
      period: result.period.id,
      source: result.source,
      computedAt,
      statements: result.statements.map((s) => ({ payeeId: s.payeeId, payeeName: s.payeeName, currency: s.currency, total: formatAmount(s.total, s.currency), lines: s.lines.length })),
    });
  });

  router.get('/statements/:period/:payee', async (req, res) => {
    const { tenantId } = who(req);
    const state = await stateOf(tenantId);
    const payeeId = param(req, 'payee');
    const result = periodStatements(state, planPeriod(state, param(req, 'period')), deps.today(), new Set([payeeId as UserId]));
    const [statement] = result.statements;
    if (!statement) throw new ApiFailure('not_found', `${payeeId} has no statement for ${result.period.id}`, 'pick a payee from the list');
    res.json({ source: result.source, statement: statementToJson(statement), disputes: await listDisputes(db, tenantId, { payeeId, period: result.period.id }) });
  });

  // ---- disputes ---------------------------------------------------------------------
  router.get('/disputes', async (req, res) => {
    const { tenantId } = who(req);
    res.json({ disputes: await listDisputes(db, tenantId, { payeeId: query(req, 'payeeId'), period: query(req, 'period') }) });
  });

  router.post('/disputes', async (req, res) => {
    const { tenantId, userId } = who(req);
    const state = await stateOf(tenantId);
    res.status(201).json(await openDispute(db, tenantId, state, req.body, deps.today(), userId));
  });

  router.post('/disputes/:id/decision', async (req, res) => {
    const { tenantId, userId } = who(req);
    res.json(await decideDispute(db, tenantId, param(req, 'id'), req.body, userId));
  });

  // ---- payroll and queue health -----------------------------------------------------
  router.get('/payroll/:period', async (req, res) => {
    const { tenantId } = who(req);
    const { filename, csv } = payrollCsv(await stateOf(tenantId), param(req, 'period').replace(/\.csv$/, ''));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.send(csv);
  });

  router.get('/queue', async (req, res) => {
    who(req);
    if (!deps.jobs) {
      res.json({ health: { ok: false, mode: 'none', message: 'this server has no job runner attached' }, counts: {} });
      return;
    }
    const [health, counts] = await Promise.all([deps.jobs.health(), deps.jobs.counts()]);
    res.json({ health, counts });
  });

  return router;
}
