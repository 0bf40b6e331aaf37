import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimits } from './config.js';

/**
 * A rolling-window limiter: at most `limit` grants in any `windowMs`. HubSpot's
 * TEN_SECONDLY_ROLLING policy counts requests in every 10-second window, which a token
 * bucket only approximates (a full bucket plus its refill can exceed the window's count);
 * keeping the grant times of the last `limit` requests is exact and costs `limit` numbers.
 */
export class RollingWindowLimiter {
  private readonly grants: number[] = [];
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /**
     * Requests reach HubSpot a little after we grant them, and a busy event loop delays
     * some more than others; HubSpot counts arrivals. The margin (2.5 % of a 10 s window)
     * absorbs that skew: measured against the sandbox on a loaded machine, 50 ms still
     * drew the odd 429.
     */
    private readonly marginMs = 250,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limit must be a positive integer, got ${limit}`);
  }

  /** Resolves when a request may be sent; callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** HubSpot answered 429: nobody on this portal sends until `untilMs`. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      while (this.grants.length > 0 && this.grants[0]! <= now - this.windowMs - this.marginMs) this.grants.shift();
      if (this.grants.length < this.limit) {
        this.grants.push(now);
        return;
      }
      await sleep(this.grants[0]! + this.windowMs + this.marginMs - now + 1);
    }
  }
}

export type RequestKind = 'general' | 'search';

/**
 * The limiters of one portal: CRM search is limited apart from (and not counted in) the
 * general limit, so a search waits only for the search window.
 */
export interface PortalLimiter {
  acquire(kind: RequestKind): Promise<void>;
  pauseUntil(kind: RequestKind, untilMs: number): void;
}

/** One pair of limiters per portal, shared by every job of this process that calls that portal. */
export class PortalLimiters {
  private readonly byPortal = new Map<string, PortalLimiter>();

  constructor(private readonly limits: RateLimits) {}

  for(portalId: string): PortalLimiter {
    let limiter = this.byPortal.get(portalId);
    if (!limiter) {
      const general = new RollingWindowLimiter(this.limits.generalPerWindow, this.limits.generalWindowMs);
      const search = new RollingWindowLimiter(this.limits.searchPerSecond, 1_000, 50);
      limiter = {
        acquire: (kind) => (kind === 'search' ? search : general).acquire(),
        pauseUntil: (kind, untilMs) => (kind === 'search' ? search : general).pauseUntil(untilMs),
      };
      this.byPortal.set(portalId, limiter);
    }
    return limiter;
  }
}
