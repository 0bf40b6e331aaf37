import { systemClock, type Clock } from '../../worker/src/queues/handler-registry.js';
import { classifySalesforceError } from './errors.js';

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
  private readonly entries: Map<string, Entry>;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  /** On a job's view (see forJob): the entries this view read itself, which are fresh for its job. */
  private readonly ownReads = new WeakSet<Entry>();
  private servedEarlierRead = false;

  constructor(options: { clock?: Clock | undefined; ttlMs?: number } = {}, shared?: Map<string, Entry>) {
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.ttlMs ?? ORG_METADATA_TTL_MS;
    this.entries = shared ?? new Map<string, Entry>();
  }

  /** A view for one job: the same entries, plus whether the job was handed metadata read before it started. */
  forJob(): OrgMetadataCache {
    return new OrgMetadataCache({ clock: this.clock, ttlMs: this.ttlMs }, this.entries);
  }

  /**
   * Whether this view handed out a value it did not read itself (a cache hit on an earlier
   * job's read): such metadata may predate an admin's change in Setup.
   */
  get servedCachedValue(): boolean {
    return this.servedEarlierRead;
  }

  /** The cached value of `key` for the tenant, read with `load` when absent or older than the TTL. */
  get<T>(tenantId: string, key: string, load: () => Promise<T>, keep?: (value: T) => boolean): Promise<T> {
    const entry = this.entries.get(entryKey(tenantId, key));
    if (entry && this.clock.now().getTime() < entry.expiresAt) {
      if (!this.ownReads.has(entry)) this.servedEarlierRead = true;
      return entry.value as Promise<T>;
    }
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
    this.ownReads.add(entry);
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

/**
 * Runs a job's work (a deals job, a CDC batch) that builds its queries from cached org
 * metadata, and repairs the one failure the cache itself can cause. An admin's change in
 * Setup (field-level security revoked on an optional Opportunity field, splits switched
 * off) makes a query built from metadata read before it fail with INVALID_FIELD /
 * INVALID_TYPE: without this, the job would fail for good with a misleading "grant read
 * access" message until the entry expired. So when the work fails with the missing-access
 * class and was handed cached metadata, the tenant's entries are forgotten and the work runs
 * once more, reading the org afresh (it resumes from its committed cursor). A failure on
 * fresh metadata, or on the second run, is a real permission problem and is thrown as is;
 * the tenant's entries are forgotten then too, so the next job describes the org again
 * rather than repeat the failing query for the rest of the TTL.
 */
export async function withFreshMetadataOnMissingAccess<T>(
  cache: OrgMetadataCache,
  tenantId: string,
  work: (cache: OrgMetadataCache) => Promise<T>,
  onRetry?: (err: unknown) => void,
): Promise<T> {
  const missingAccess = (err: unknown): boolean => classifySalesforceError(err) === 'missing-access';
  const first = cache.forJob();
  try {
    return await work(first);
  } catch (err) {
    if (!missingAccess(err)) throw err;
    cache.forget(tenantId);
    if (!first.servedCachedValue) throw err;
    onRetry?.(err);
  }
  try {
    return await work(cache.forJob());
  } catch (err) {
    if (missingAccess(err)) cache.forget(tenantId);
    throw err;
  }
}

function entryKey(tenantId: string, key: string): string {
  return `${tenantId}\u0000${key}`;
}
