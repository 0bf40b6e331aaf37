import { systemClock, type Clock } from '../../worker/src/queues/handler-registry.js';

/**
 * How long org metadata read from Salesforce (describes, the stage picklist, split types) is
 * reused. It changes only when an admin edits Setup, yet reading it costs REST calls from the
 * org's daily API allocation on every deals job, CDC batch and coaching task. Ten minutes turns
 * those calls into a handful per tenant per hour, and bounds how long an admin's change
 * (a field granted, splits switched on) takes to show; a stage added or renamed does not wait
 * for it (see orgContextKnowingStages in org-context.ts).
 */
export const ORG_METADATA_TTL_MS = 10 * 60_000;

interface Entry {
  readonly value: Promise<unknown>;
  readonly expiresAt: number;
}

/**
 * Per-tenant, in-process cache of org metadata with a TTL, owned by one connector instance
 * (so tenants, connectors and tests never share entries). What is kept is the pending read
 * itself, so two jobs of a tenant starting together make the calls once. A read that fails,
 * or whose result `keep` refuses (a describe that found no access), is dropped at once: the
 * next job reads again instead of repeating a failure for the rest of the TTL.
 */
export class OrgMetadataCache {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(options: { clock?: Clock | undefined; ttlMs?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.ttlMs ?? ORG_METADATA_TTL_MS;
  }

  /** The cached value of `key` for the tenant, read with `load` when absent or older than the TTL. */
  get<T>(tenantId: string, key: string, load: () => Promise<T>, keep?: (value: T) => boolean): Promise<T> {
    const entry = this.entries.get(entryKey(tenantId, key));
    if (entry && this.clock.now().getTime() < entry.expiresAt) return entry.value as Promise<T>;
    return this.reload(tenantId, key, load, keep);
  }

  /** Reads `key` again now, whatever is cached, and keeps the result for the TTL. */
  reload<T>(tenantId: string, key: string, load: () => Promise<T>, keep?: (value: T) => boolean): Promise<T> {
    const k = entryKey(tenantId, key);
    const now = this.clock.now().getTime();
    this.dropExpired(now);
    const value = load();
    const entry: Entry = { value, expiresAt: now + this.ttlMs };
    this.entries.set(k, entry);
    // Only this read's own entry is dropped: a newer read started meanwhile stays.
    const drop = (): void => {
      if (this.entries.get(k) === entry) this.entries.delete(k);
    };
    value.then((v) => (keep && !keep(v) ? drop() : undefined), drop);
    return value;
  }

  /** Forgets `key`, or everything, cached for the tenant (after Salesforce said a field or object we rely on is not there). */
  forget(tenantId: string, key?: string): void {
    if (key !== undefined) {
      this.entries.delete(entryKey(tenantId, key));
      return;
    }
    const prefix = entryKey(tenantId, '');
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Tenants that stopped syncing would otherwise keep their entries for the life of the process. */
  private dropExpired(now: number): void {
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}

function entryKey(tenantId: string, key: string): string {
  return `${tenantId}\u0000${key}`;
}
