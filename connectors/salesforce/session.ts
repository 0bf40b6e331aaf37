import { sql } from 'kysely';
import jsforce from 'jsforce';
import type { Connection, HttpRequest, HttpResponse } from 'jsforce';
import type { Logger } from 'pino';
import { markDisconnected, readConnection, storeRefreshedTokens } from '../core/tenant-connections.js';
import type { Db } from '../../worker/src/db/database.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import type { SalesforceConfig } from './config.js';
import { ApiBudgetExhaustedError, SalesforceAuthRevokedError } from './errors.js';

export interface SalesforceDeps {
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly logger?: Logger | undefined;
}

/** Every HTTP call the connector made, and the org's API usage as Salesforce last reported it. */
export class ApiMeter {
  calls = 0;
  tokenCalls = 0;
  used: number | undefined;
  limit: number | undefined;
  /** Headers of the latest response (Bulk API 2.0 pages by the Sforce-Locator header, which jsforce's request() does not return). */
  lastHeaders: Readonly<Record<string, string>> = {};

  observe(res: HttpResponse): void {
    this.lastHeaders = res.headers ?? {};
    const header = res.headers?.['sforce-limit-info'];
    const m = typeof header === 'string' ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
    if (m) {
      this.used = Number(m[1]);
      this.limit = Number(m[2]);
    }
  }
}

/** Salesforce returns no expires_in; sessions last the org's timeout (2 h by default). Only used for display and proactive checks. */
const ASSUMED_SESSION_MS = 2 * 60 * 60_000;
/** More refreshes than this in a short while means Salesforce rejects fresh tokens: stop instead of looping (jsforce#39). */
const MAX_REFRESHES_PER_BURST = 2;
const BURST_MS = 10_000;

export interface SalesforceSession {
  readonly tenantId: string;
  readonly conn: Connection;
  readonly meter: ApiMeter;
  readonly instanceUrl: string;
  readonly orgId: string;
  /** Throws ApiBudgetExhaustedError when the org's daily usage is inside the reserved headroom. */
  assertBudget(): void;
}

type TransportLike = { httpRequest(req: HttpRequest, options?: Record<string, unknown>): Promise<HttpResponse> & { stream(): unknown } };

/**
 * jsforce retries GET/PUT/DELETE up to 5 times on 420/429/5xx and network errors (500 ms ×
 * 2^n, ~15 s), invisibly. The job runner already retries a failed sync with backoff and the
 * sync resumes at its page cursor, so jsforce's layer is switched off (maxRetries 0) to keep
 * exactly one retry layer. The wrapper also counts calls and reads Sforce-Limit-Info from
 * every response, including Bulk API 2.0 ones.
 */
export function meterTransport(conn: Connection, meter: ApiMeter): void {
  const holder = conn as unknown as { _transport: TransportLike };
  const inner = holder._transport;
  holder._transport = {
    httpRequest(req, options = {}) {
      meter.calls += 1;
      const retry = { ...((options['retry'] as object | undefined) ?? {}), maxRetries: 0 };
      const pending = inner.httpRequest(req, { ...options, retry });
      pending.then((res) => meter.observe(res), () => undefined);
      return pending;
    },
  } as TransportLike & { getRequestStreamCreator?: unknown };
}

export function oauth2For(config: SalesforceConfig, loginUrl: string): InstanceType<typeof jsforce.OAuth2> {
  return new jsforce.OAuth2({ clientId: config.clientId, ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}), redirectUri: config.redirectUri, loginUrl });
}

export function tokenExpiry(res: { issued_at?: string; expires_in?: number | string }, now = Date.now()): Date {
  const issued = res.issued_at ? Number(res.issued_at) : now;
  const ttl = res.expires_in !== undefined ? Number(res.expires_in) * 1000 : ASSUMED_SESSION_MS;
  return new Date((Number.isFinite(issued) ? issued : now) + (Number.isFinite(ttl) ? ttl : ASSUMED_SESSION_MS));
}

/**
 * A jsforce connection for a tenant, from its stored (encrypted) tokens. Refresh stays lazy
 * (jsforce refreshes on a 401 and retries the request once) but goes through our refresh
 * function, because jsforce's own drops a rotated refresh token: ours stores the new access
 * token and, when Salesforce rotates it, the new refresh token in the same write. A refused
 * refresh (invalid_grant: revoked, app uninstalled, user deactivated) disconnects the tenant
 * and keeps its data.
 */
export async function openSession(config: SalesforceConfig, deps: SalesforceDeps, tenantId: string, meter = new ApiMeter()): Promise<SalesforceSession> {
  const stored = await readConnection(deps.db, deps.cipher, tenantId);
  if (!stored || stored.source !== 'salesforce') throw new SalesforceAuthRevokedError(`invalid_grant: tenant ${tenantId} has no Salesforce connection; install the app from the admin console`);
  if (stored.status === 'revoked' || !stored.accessToken || !stored.refreshToken) throw new SalesforceAuthRevokedError(`invalid_grant: tenant ${tenantId}'s Salesforce authorisation was revoked; reconnect Salesforce from the admin console`);
  const instanceUrl = stored.settings['instanceUrl'];
  if (!instanceUrl) throw new Error(`Tenant ${tenantId}'s Salesforce connection has no instance URL; reconnect Salesforce from the admin console`);
  const loginUrl = stored.settings['loginUrl'] ?? config.loginUrl;
  let refreshToken = stored.refreshToken;
  const refreshes: number[] = [];

  const refreshFn = (c: Connection, callback: (err: Error | null | undefined, accessToken?: string, res?: never) => void): void => {
    void (async () => {
      const now = Date.now();
      while (refreshes.length > 0 && now - refreshes[0]! > BURST_MS) refreshes.shift();
      if (refreshes.length >= MAX_REFRESHES_PER_BURST) {
        callback(new Error(`Salesforce rejected ${refreshes.length} freshly refreshed access tokens within ${BURST_MS / 1000} s (INVALID_SESSION_ID right after a refresh); check the External Client App's IP and session policies`));
        return;
      }
      refreshes.push(now);
      const rejected = c.accessToken;
      let revokedReason: string | undefined;
      // One refresh per tenant at a time, across processes: with rotation, a refresh token
      // used by two workers at once is spent by the first and "invalid_grant" for the second.
      const outcome = await deps.db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`salesforce-refresh/${tenantId}`}))`.execute(tx);
        const current = await readConnection(tx, deps.cipher, tenantId);
        if (!current || current.status === 'revoked' || !current.refreshToken || !current.accessToken) {
          revokedReason = 'the tenant was disconnected while this job ran';
          return undefined;
        }
        if (current.accessToken !== rejected) {
          // Another worker refreshed while we waited: use its tokens instead of spending ours.
          refreshToken = current.refreshToken;
          return { accessToken: current.accessToken, instanceUrl: undefined, rotated: false };
        }
        refreshToken = current.refreshToken;
        const oauth2 = oauth2For(config, loginUrl);
        (oauth2 as unknown as { _transport: TransportLike })._transport = countingTokenTransport((oauth2 as unknown as { _transport: TransportLike })._transport, meter);
        let res: Awaited<ReturnType<typeof oauth2.refreshToken>>;
        try {
          res = await oauth2.refreshToken(refreshToken);
        } catch (err) {
          const code = (err as Error).name;
          if (code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client') {
            revokedReason = `Salesforce refused the refresh token (${code}: ${(err as Error).message})`;
            return undefined;
          }
          throw err;
        }
        const rotated = typeof res.refresh_token === 'string' && res.refresh_token !== '' ? res.refresh_token : undefined;
        await storeRefreshedTokens(tx, deps.cipher, tenantId, { accessToken: res.access_token, refreshToken: rotated, expiresAt: tokenExpiry(res as { issued_at?: string }) });
        if (rotated) refreshToken = rotated;
        return { accessToken: res.access_token, instanceUrl: res.instance_url, rotated: rotated !== undefined };
      });
      if (!outcome) {
        const reason = revokedReason ?? 'Salesforce refused the refresh token';
        await markDisconnected(deps.db, tenantId, reason);
        deps.logger?.warn({ tenantId }, 'salesforce authorisation revoked; tenant disconnected, data kept');
        callback(new SalesforceAuthRevokedError(`invalid_grant: ${reason}`));
        return;
      }
      if (outcome.instanceUrl && outcome.instanceUrl !== c.instanceUrl) c.instanceUrl = outcome.instanceUrl;
      deps.logger?.info({ tenantId, rotated: outcome.rotated }, 'salesforce access token refreshed');
      callback(undefined, outcome.accessToken);
    })().catch((err: unknown) => callback(err as Error));
  };

  const conn = new jsforce.Connection({ version: config.apiVersion, instanceUrl, accessToken: stored.accessToken, refreshToken, refreshFn: refreshFn as never, loginUrl });
  meterTransport(conn, meter);
  const reserveOf = (limit: number) => Math.ceil(limit * config.apiHeadroom);
  return {
    tenantId,
    conn,
    meter,
    instanceUrl,
    orgId: stored.externalId,
    assertBudget() {
      if (meter.used === undefined || meter.limit === undefined) return;
      const reserve = reserveOf(meter.limit);
      if (meter.used >= meter.limit - reserve) throw new ApiBudgetExhaustedError(meter.used, meter.limit, reserve);
    },
  };
}

function countingTokenTransport(inner: TransportLike, meter: ApiMeter): TransportLike {
  return {
    httpRequest(req, options) {
      meter.tokenCalls += 1;
      return inner.httpRequest(req, options);
    },
  };
}
