import { createHash } from 'node:crypto';

/**
 * A hash of a record's content, independent of key order, so an upsert can skip a write
 * that would change nothing (a re-delivered webhook, an overlapping sync window).
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url');
}

function stableJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && 'toFixed' in value && typeof (value as { toString(): string }).toString === 'function' && value.constructor?.name === 'Decimal') {
    return JSON.stringify((value as { toString(): string }).toString());
  }
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Map) return stableJson(Object.fromEntries(value));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
