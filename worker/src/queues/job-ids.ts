import { createHash } from 'node:crypto';

/**
 * Job ids and deduplication ids. BullMQ ignores an `add` whose `jobId` already exists
 * (while the job is kept), forbids ':' in custom ids (it separates Redis key parts) and
 * rejects ids made of digits only; every id built here starts with a word and contains
 * only [A-Za-z0-9_.-].
 */

/** sha1 (hex) of a canonical JSON encoding of the parts, so ['a,b'] and ['a','b'] differ. */
export function digest(...parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A readable id segment for a tenant id: kept as is when it is short and made of safe
 * characters (HubSpot portal ids, Salesforce org ids), otherwise replaced by a hash.
 * Readability only: uniqueness comes from the digest that every id ends with, which
 * always covers the tenant id itself.
 */
export function idSegment(value: string): string {
  return SAFE_SEGMENT.test(value) ? value : `h${digest(value).slice(0, 16)}`;
}

const VALID_ID = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** `<kind>-<tenant>-<sha1 of the parts>`; the parts must include the tenant id. */
export function jobKey(kind: string, tenantId: string, ...parts: readonly unknown[]): string {
  const id = `${kind}-${idSegment(tenantId)}-${digest(tenantId, ...parts)}`;
  if (!VALID_ID.test(id)) throw new Error(`Job id '${id}' is not a valid BullMQ custom id`);
  return id;
}

/** Sorted, without repeats: the canonical form of an id set, so the order of a request does not change its id. */
export function canonicalSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
