import { randomUUID } from 'node:crypto';
import { HubspotError } from './errors.js';

export interface RateLimits {
  /** Requests per rolling window per portal for the app (search excluded). HubSpot: 110 / 10 s for marketplace apps. */
  readonly general: { readonly max: number; readonly intervalMs: number };
  /** CRM search requests per rolling second per portal. HubSpot: 5. */
  readonly search: { readonly max: number; readonly intervalMs: number };
  /** Send a Retry-After header on 429s. HubSpot does not document one, so off by default. */
  readonly retryAfterHeader?: boolean;
}

export const HUBSPOT_MARKETPLACE_LIMITS: RateLimits = { general: { max: 110, intervalMs: 10_000 }, search: { max: 5, intervalMs: 1_000 } };

/** A rolling window: at most `max` admissions in any `intervalMs`. Rejections are not counted. */
export class RollingWindow {
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly max: number, readonly intervalMs: number) {
    this.times = new Float64Array(Math.max(1, max));
  }

  /** Remaining admissions after this one, or -1 when rejected. */
  take(nowMs: number): number {
    while (this.count > 0 && this.times[this.head]! <= nowMs - this.intervalMs) {
      this.head = (this.head + 1) % this.times.length;
      this.count--;
    }
    if (this.count >= this.max) return -1;
    this.times[(this.head + this.count) % this.times.length] = nowMs;
    this.count++;
    return this.max - this.count;
  }

  /** Milliseconds until the oldest admission leaves the window. */
  waitMs(nowMs: number): number {
    return this.count === 0 ? 0 : Math.max(0, this.times[this.head]! + this.intervalMs - nowMs);
  }
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY';

export function rateLimitError(policy: RateLimitPolicy, headers: Record<string, string>): HubspotError {
  const message = policy === 'SECONDLY' ? 'You have reached your secondly limit.' : 'You have reached your ten_secondly_rolling limit.';
  return new HubspotError(
    429,
    { status: 'error', message, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: policy, groupName: policy === 'SECONDLY' ? 'publicapi-search' : 'publicapi', requestId: randomUUID() },
    headers,
  );
}

/** The limits of one portal: the app's general bucket and the separate search bucket. */
export class PortalRateLimiter {
  private readonly general: RollingWindow;
  private readonly search: RollingWindow;

  constructor(private readonly limits: RateLimits) {
    this.general = new RollingWindow(limits.general.max, limits.general.intervalMs);
    this.search = new RollingWindow(limits.search.max, limits.search.intervalMs);
  }

  /** Admits a request or throws HubSpot's 429; returns the rate-limit headers for a success. */
  admit(isSearch: boolean, nowMs: number): Record<string, string> {
    const window = isSearch ? this.search : this.general;
    const remaining = window.take(nowMs);
    // Search responses carry no rate-limit headers.
    const headers: Record<string, string> = isSearch
      ? {}
      : { 'X-HubSpot-RateLimit-Interval-Milliseconds': String(window.intervalMs), 'X-HubSpot-RateLimit-Max': String(window.max), 'X-HubSpot-RateLimit-Remaining': String(Math.max(0, remaining)) };
    if (remaining < 0) {
      if (this.limits.retryAfterHeader) headers['Retry-After'] = String(Math.max(1, Math.ceil(window.waitMs(nowMs) / 1000)));
      throw rateLimitError(isSearch ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING', headers);
    }
    return headers;
  }
}
