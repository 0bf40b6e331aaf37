import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { IdKind } from '../portal-seed/index.js';
import { CrmApi } from './crm-routes.js';
import { badRequest, errorBody, HubspotError, notFound } from './errors.js';
import type { FaultInjector } from './faults.js';
import type { Mutations } from './mutations.js';
import type { OAuthServer } from './oauth.js';
import type { HubspotPortal } from './portal.js';
import type { PortalRateLimiter } from './rate-limit.js';
import { SearchEngine } from './search.js';
import type { WebhookConfig, WebhookSender } from './webhooks.js';

/** Counters a test or benchmark asserts on (e.g. "zero 429s"). */
export class SandboxStats {
  requests = 0;
  searchRequests = 0;
  /** Requests the enforced limits rejected, by policy (injected faults are counted apart). */
  readonly rateLimited = { TEN_SECONDLY_ROLLING: 0, SECONDLY: 0 };
  injectedFaults = 0;
  readonly byStatus: Record<string, number> = {};

  get rateLimitedTotal(): number {
    return this.rateLimited.TEN_SECONDLY_ROLLING + this.rateLimited.SECONDLY;
  }

  reset(): void {
    this.requests = 0;
    this.searchRequests = 0;
    this.rateLimited.TEN_SECONDLY_ROLLING = 0;
    this.rateLimited.SECONDLY = 0;
    this.injectedFaults = 0;
    for (const k of Object.keys(this.byStatus)) delete this.byStatus[k];
  }

  toJSON(): Record<string, unknown> {
    return { requests: this.requests, searchRequests: this.searchRequests, rateLimited: { ...this.rateLimited }, rateLimitedTotal: this.rateLimitedTotal, injectedFaults: this.injectedFaults, byStatus: { ...this.byStatus } };
  }
}

export interface ServerParts {
  readonly portal: HubspotPortal;
  readonly oauth: OAuthServer;
  readonly limiter: PortalRateLimiter;
  readonly faults: FaultInjector;
  readonly mutations: Mutations;
  readonly webhooks: WebhookSender;
  readonly stats: SandboxStats;
  readonly searchIndexLagMs: number;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw badRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, rawJson?: string): void {
  const html = typeof body === 'object' && body !== null && 'html' in body ? String((body as { html: unknown }).html) : undefined;
  const text = html ?? rawJson ?? (body === undefined ? '' : JSON.stringify(body));
  res.writeHead(status, { ...headers, ...(text ? { 'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json;charset=utf-8' } : {}) });
  res.end(text);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Invalid input JSON: the request body is not valid JSON');
  }
}

const propertiesBody = z.object({ properties: z.record(z.string(), z.union([z.string(), z.null()])) });
const faultBody = z.object({ status: z.number().int(), count: z.number().int(), path: z.string().optional(), policyName: z.enum(['TEN_SECONDLY_ROLLING', 'SECONDLY', 'DAILY']).optional(), html: z.boolean().optional() });

/** The HTTP face of the sandbox: OAuth, the CRM API, and the /__sandbox control API. */
export function createSandboxServer(parts: ServerParts): Server {
  const { portal, oauth, limiter, faults, mutations, webhooks, stats } = parts;
  const search = new SearchEngine(parts.searchIndexLagMs);
  const crm = new CrmApi(portal, search);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const raw = await readBody(req);

    if (path.startsWith('/__sandbox/')) return control(method, path, url, raw, res);

    // ---- OAuth (not rate limited) ----
    if (method === 'GET' && path === '/oauth/authorize') {
      res.writeHead(302, { Location: oauth.authorize(url.searchParams) });
      res.end();
      return;
    }
    if (method === 'POST' && /^\/oauth\/v1\/token\/?$/.test(path)) {
      const type = req.headers['content-type'] ?? '';
      if (!type.includes('application/x-www-form-urlencoded')) throw badRequest('the token endpoint takes application/x-www-form-urlencoded parameters');
      return send(res, 200, oauth.token(new URLSearchParams(raw)));
    }
    const accessInfo = /^\/oauth\/v1\/access-tokens\/([^/]+)$/.exec(path);
    if (accessInfo && method === 'GET') return send(res, 200, oauth.accessTokenInfo(decodeURIComponent(accessInfo[1]!)));
    const refreshInfo = /^\/oauth\/v1\/refresh-tokens\/([^/]+)$/.exec(path);
    if (refreshInfo && method === 'GET') return send(res, 200, oauth.refreshTokenInfo(decodeURIComponent(refreshInfo[1]!)));
    if (refreshInfo && method === 'DELETE') {
      oauth.revokeRefreshToken(decodeURIComponent(refreshInfo[1]!));
      return send(res, 204, undefined);
    }

    // ---- CRM API ----
    stats.requests++;
    const before = faults.injected;
    try {
      faults.check(path);
    } finally {
      stats.injectedFaults += faults.injected - before;
    }
    const scopes = oauth.authenticate(req.headers.authorization);
    const isSearch = method === 'POST' && /\/search$/.test(path);
    if (isSearch) stats.searchRequests++;
    let headers: Record<string, string>;
    try {
      headers = limiter.admit(isSearch, Date.now());
    } catch (error) {
      stats.rateLimited[isSearch ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING']++;
      throw error;
    }
    try {
      const response = crm.handle({ method, path, query: url.searchParams, body: parseJson(raw), scopes, origin });
      if (!response) throw new HubspotError(404, errorBody(`No route for ${method} ${path} in the HubSpot sandbox`, 'OBJECT_NOT_FOUND'));
      send(res, response.status, response.body, headers, response.rawJson);
    } catch (error) {
      if (error instanceof HubspotError) throw new HubspotError(error.httpStatus, error.body, { ...headers, ...error.headers });
      throw error;
    }
  }

  function control(method: string, path: string, url: URL, raw: string, res: ServerResponse): void {
    const body = parseJson(raw);
    const parse = <T extends z.ZodType>(schema: T): z.output<T> => {
      const r = schema.safeParse(body);
      if (!r.success) throw badRequest(`invalid sandbox control request: ${r.error.issues[0]!.message}`);
      return r.data;
    };
    if (method === 'GET' && path === '/__sandbox/stats') return send(res, 200, stats.toJSON());
    if (method === 'POST' && path === '/__sandbox/stats/reset') {
      stats.reset();
      return send(res, 204, undefined);
    }
    if (method === 'POST' && path === '/__sandbox/deals') return send(res, 201, { id: mutations.addDeal(parse(propertiesBody).properties) });
    const deal = /^\/__sandbox\/deals\/([^/]+)(\/restore)?$/.exec(path);
    if (deal && method === 'PATCH' && !deal[2]) return send(res, 200, { changed: mutations.updateDeal(deal[1]!, parse(propertiesBody).properties) });
    if (deal && method === 'DELETE' && !deal[2]) {
      mutations.archiveDeal(deal[1]!);
      return send(res, 204, undefined);
    }
    if (deal && method === 'POST' && deal[2]) {
      mutations.restoreDeal(deal[1]!);
      return send(res, 204, undefined);
    }
    if (method === 'POST' && path === '/__sandbox/faults') {
      const f = parse(faultBody);
      faults.inject({ status: f.status, count: f.count, ...(f.path !== undefined ? { path: f.path } : {}), ...(f.policyName ? { policyName: f.policyName } : {}), ...(f.html !== undefined ? { html: f.html } : {}) });
      return send(res, 204, undefined);
    }
    if (method === 'DELETE' && path === '/__sandbox/faults') {
      faults.clear();
      return send(res, 204, undefined);
    }
    if (method === 'POST' && path === '/__sandbox/tokens') return send(res, 200, oauth.issueTokens());
    if (method === 'POST' && path === '/__sandbox/tokens/expire') {
      oauth.expireAccessTokens();
      return send(res, 204, undefined);
    }
    if (method === 'POST' && path === '/__sandbox/uninstall') {
      oauth.uninstall();
      return send(res, 204, undefined);
    }
    if (method === 'PUT' && path === '/__sandbox/webhooks') {
      webhooks.configure(body as WebhookConfig);
      return send(res, 204, undefined);
    }
    const idMap = /^\/__sandbox\/id-map\/(user|team|pipeline|stage|deal|activity|quota)$/.exec(path);
    if (idMap && method === 'GET') {
      const kind = idMap[1] as IdKind;
      const canonical = url.searchParams.get('canonical');
      const external = url.searchParams.get('external');
      if (canonical !== null) return send(res, 200, { canonical, external: portal.idMap.toExternal(kind, canonical) ?? null });
      if (external !== null) return send(res, 200, { external, canonical: portal.idMap.toCanonical(kind, external) ?? null });
      throw badRequest('pass ?canonical=<id> or ?external=<id>');
    }
    throw notFound(`No sandbox control route ${method} ${path}`);
  }

  return createServer((req, res) => {
    route(req, res)
      .catch((error: unknown) => {
        if (error instanceof HubspotError) {
          stats.byStatus[error.httpStatus] = (stats.byStatus[error.httpStatus] ?? 0) + 1;
          return send(res, error.httpStatus, error.body, error.headers);
        }
        stats.byStatus[500] = (stats.byStatus[500] ?? 0) + 1;
        send(res, 500, errorBody(`sandbox failure: ${(error as Error).message}`, 'INTERNAL_ERROR'));
      })
      .then(() => {
        if (res.statusCode < 400) stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
      })
      .catch(() => undefined);
  });
}
