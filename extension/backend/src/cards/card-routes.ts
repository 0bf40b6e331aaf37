import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../../../../worker/src/db/database.js';
import type { Enqueue } from '../../../../worker/src/queues/handler-registry.js';
import type { IsoDate } from '../../../../shared/src/time/iso-date.js';
import { principalOf } from '../auth/principal.js';
import { ApiFailure, parseInput } from '../http/api-failure.js';
import { freshnessOf, viewerOf, type CardContext } from './card-context.js';
import { chart } from './charts.js';
import { createTaskFromPrompt } from './coaching-action.js';
import { dealCard } from './deal-card.js';
import { explain, ExplainQuery } from './explain.js';
import { managerCard } from './manager-card.js';
import { repCard } from './rep-card.js';
import type { TenantCache } from './tenant-cache.js';
import { CARD_API_VERSION, CHART_IDS, CreateCoachingTaskRequestSchema, type MeView } from './view-models.js';

export interface CardRouteDeps {
  readonly db: Db;
  readonly cache: TenantCache;
  readonly enqueue: Enqueue;
  /** Today's date in UTC: the engine's as-of day for every card. */
  readonly today: () => IsoDate;
  /** How long coaching prompts read from the database are reused (the cache-check interval). */
  readonly promptsFreshForMs: number;
}

// Ids are caller-chosen strings: bounded, printable, so they can never carry a query or a path.
const Id = z.string().min(1).max(256).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const PeriodParam = z.string().min(1).max(64).optional();
// HubSpot adds these to every signed URL; they are accepted on every route and otherwise ignored.
const HUBSPOT_PARAMS = { portalId: z.string().optional(), userId: z.string().optional(), userEmail: z.string().optional(), appId: z.string().optional() };

const DealQuery = z.object({ ...HUBSPOT_PARAMS, payeeId: Id.optional(), rep: Id.optional() });
const RepQuery = z.object({ ...HUBSPOT_PARAMS, subjectId: Id.optional(), period: PeriodParam });
const ManagerQuery = z.object({ ...HUBSPOT_PARAMS, managerId: Id.optional(), period: PeriodParam });
const ChartQuery = z.object({ ...HUBSPOT_PARAMS, userId: Id.optional(), subjectId: Id.optional(), period: PeriodParam });
const MeQuery = z.object(HUBSPOT_PARAMS);

/**
 * The person a card is about is `subjectId`. HubSpot puts the viewer's HubSpot user id in
 * `userId`, so `userId` is read as the subject only on the other channels.
 */
function subjectParam(req: Request, userId: string | undefined, subjectId: string | undefined): string | undefined {
  return principalOf(req).via === 'hubspot' ? subjectId : (subjectId ?? userId);
}

export function cardRoutes(deps: CardRouteDeps): Router {
  const router = Router();

  async function context(req: Request): Promise<CardContext> {
    const principal = principalOf(req);
    const snapshot = await deps.cache.get(principal.tenantId);
    if (!snapshot) throw new ApiFailure('unauthenticated', 'This account is not installed', 'install the app from the CRM');
    const asOf = deps.today();
    return { db: deps.db, snapshot, principal, viewer: viewerOf(snapshot, principal, asOf), asOf };
  }

  router.get('/me', async (req, res) => {
    parseInput(MeQuery, req.query, 'query');
    const ctx = await context(req);
    const view: MeView = { kind: 'me', version: CARD_API_VERSION, viewer: ctx.viewer, freshness: freshnessOf(ctx) };
    res.json(view);
  });

  router.get('/deals/:dealId', async (req, res) => {
    const dealId = parseInput(Id, req.params['dealId'], 'deal id');
    const q = parseInput(DealQuery, req.query, 'query');
    res.json(await dealCard(await context(req), dealId, q.payeeId ?? q.rep));
  });

  router.get('/rep', async (req, res) => {
    const q = parseInput(RepQuery, req.query, 'query');
    res.json(await repCard(await context(req), subjectParam(req, q.userId, q.subjectId), q.period));
  });

  router.get('/manager', async (req, res) => {
    const q = parseInput(ManagerQuery, req.query, 'query');
    res.json(await managerCard(await context(req), q.managerId, q.period, deps.promptsFreshForMs));
  });

  router.post('/manager/prompts/:promptId/tasks', async (req, res) => {
    const promptId = parseInput(Id, req.params['promptId'], 'prompt id');
    const body = parseInput(CreateCoachingTaskRequestSchema, req.body ?? {}, 'request body');
    const result = await createTaskFromPrompt(await context(req), deps.enqueue, promptId, body);
    res.status(result.status).json(result.body);
  });

  router.get('/charts/:chartId', async (req, res) => {
    const id = parseInput(z.enum(CHART_IDS), req.params['chartId'], 'chart id');
    const q = parseInput(ChartQuery, req.query, 'query');
    res.json(await chart(await context(req), id, subjectParam(req, q.userId, q.subjectId), q.period));
  });

  router.get('/explain', async (req, res) => {
    const { portalId: _p, userEmail: _e, appId: _a, userId, subjectId, ...rest } = req.query as Record<string, unknown>;
    const raw = { ...rest, userId: principalOf(req).via === 'hubspot' ? subjectId : (subjectId ?? userId) };
    res.json(await explain(await context(req), parseInput(ExplainQuery, raw, 'query')));
  });

  return router;
}
