import { randomUUID } from 'node:crypto';
import { HubspotError } from './errors.js';
import { rateLimitError, type RateLimitPolicy } from './rate-limit.js';

export interface FaultSpec {
  /** HTTP status to answer with: 429 or a 5xx. */
  readonly status: number;
  /** How many matching requests fail. */
  readonly count: number;
  /** Only requests whose path starts with this (or matches it) fail. Default: every API request. */
  readonly path?: string | RegExp;
  /** For 429s: which limit the body names. Default TEN_SECONDLY_ROLLING. */
  readonly policyName?: RateLimitPolicy | 'DAILY';
  /** Answer with an HTML page instead of JSON, as a gateway in front of HubSpot does on 502/504. */
  readonly html?: boolean;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  left: number;
}

/** Injected failures ("storms"): the next N matching API requests fail. */
export class FaultInjector {
  private readonly active: ActiveFault[] = [];
  injected = 0;

  inject(spec: FaultSpec): void {
    if (spec.status !== 429 && (spec.status < 500 || spec.status > 599)) throw new RangeError(`fault status must be 429 or 5xx, got ${spec.status}`);
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new RangeError(`fault count must be a positive integer, got ${spec.count}`);
    this.active.push({ spec, left: spec.count });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Throws the injected error when a fault applies to this request. */
  check(path: string): void {
    const fault = this.active.find((f) => f.left > 0 && matches(f.spec.path, path));
    if (!fault) return;
    fault.left--;
    this.injected++;
    const { status, policyName, html } = fault.spec;
    if (html) throw new HubspotError(status, { html: `<html><head><title>${status}</title></head><body><h1>${status} Bad Gateway</h1></body></html>` });
    if (status === 429) {
      if (policyName === 'DAILY') {
        throw new HubspotError(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'DAILY', groupName: 'publicapi' });
      }
      throw rateLimitError(policyName ?? 'TEN_SECONDLY_ROLLING', {});
    }
    throw new HubspotError(status, { status: 'error', message: 'internal error', correlationId: randomUUID(), category: 'INTERNAL_ERROR' });
  }
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? path.startsWith(pattern) : pattern.test(path);
}
