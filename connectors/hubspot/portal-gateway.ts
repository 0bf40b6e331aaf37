import type { Client } from '@hubspot/api-client';
import type { Logger } from 'pino';
import { HubspotApiError } from './api-errors.js';
import type { TokenManager } from './oauth-tokens.js';
import type { PortalLimiter, RequestKind } from './rate-limiter.js';
import { sdkClient } from './sdk-client.js';

/** Counters a bench or a dashboard reads: how often HubSpot pushed back, and whether it cost us anything. */
export interface GatewayStats {
  requests: number;
  searchRequests: number;
  rateLimited: number;
  /** 429s we gave up waiting on (the job then retries from its cursor). */
  rateLimitFailures: number;
  tokenRefreshesOn401: number;
}

export function emptyStats(): GatewayStats {
  return { requests: 0, searchRequests: 0, rateLimited: 0, rateLimitFailures: 0, tokenRefreshesOn401: 0 };
}

// After this many 429s on one request the job gives up and retries from its cursor with
// the queue's backoff; nothing uncommitted is lost because pages commit with their cursor.
const MAX_RATE_LIMIT_WAITS = 8;

/**
 * Every HubSpot call of one tenant goes through here: a fresh access token, the portal's
 * limiter, 429 handling and one refresh-and-retry on 401. 5xx and network errors are NOT
 * retried here: the job queue's backoff is the one retry layer for those.
 */
export class PortalGateway {
  private client: { token: string; client: Client } | undefined;

  constructor(
    readonly tenantId: string,
    private readonly apiBase: string,
    private readonly tokens: TokenManager,
    private readonly limiter: PortalLimiter,
    private readonly logger: Logger,
    private readonly stats: GatewayStats = emptyStats(),
    private readonly now: () => number = Date.now,
    /** First wait after a 429 that names no Retry-After; doubles per repeat, capped by the policy's window. */
    private readonly rateLimitBackoffMs = 1_000,
  ) {}

  async call<T>(kind: RequestKind, operation: string, fn: (client: Client) => Promise<T>): Promise<T> {
    let refreshed = false;
    let waits = 0;
    for (;;) {
      const token = await this.tokens.accessToken(this.tenantId);
      const client = this.clientFor(token);
      await this.limiter.acquire(kind);
      this.stats.requests++;
      if (kind === 'search') this.stats.searchRequests++;
      try {
        return await fn(client);
      } catch (error) {
        if (!(error instanceof HubspotApiError)) throw error;
        error.operation = operation;
        error.message = `${error.message} (while ${operation})`;
        if (error.status === 401 && !refreshed) {
          refreshed = true;
          this.stats.tokenRefreshesOn401++;
          await this.tokens.accessToken(this.tenantId, token);
          continue;
        }
        if (error.status === 429 && error.policyName !== 'DAILY' && waits < MAX_RATE_LIMIT_WAITS) {
          waits++;
          this.stats.rateLimited++;
          const waitMs = error.retryAfterMs(this.now()) ?? defaultWait(kind, error.policyName, this.rateLimitBackoffMs, waits);
          this.limiter.pauseUntil(kind, this.now() + waitMs);
          this.logger.warn({ tenantId: this.tenantId, operation, policyName: error.policyName, waitMs }, 'HubSpot rate limit hit: pausing this portal');
          continue;
        }
        if (error.status === 429) this.stats.rateLimitFailures++;
        throw error;
      }
    }
  }

  private clientFor(token: string): Client {
    if (this.client?.token !== token) this.client = { token, client: sdkClient(this.apiBase, token) };
    return this.client.client;
  }
}

/**
 * HubSpot's 429s rarely carry Retry-After. The policy names the window: a second for
 * search (SECONDLY), ten for TEN_SECONDLY_ROLLING. Waiting the whole window every time
 * wastes most of it (our own limiter already spaces requests; a 429 means someone else
 * shares the portal), so the wait starts short and doubles up to that window.
 */
function defaultWait(kind: RequestKind, policyName: string | undefined, baseMs: number, attempt: number): number {
  const windowMs = kind === 'search' || policyName === 'SECONDLY' ? 1_000 : 10_000;
  return Math.min(windowMs, baseMs * 2 ** (attempt - 1));
}
