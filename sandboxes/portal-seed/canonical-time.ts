/** Date-only strings repeat a lot (a year has 365 of them, a big tenant millions of references). */
const dayCache = new Map<string, number>();

/**
 * Canonical documents carry dates as YYYY-MM-DD (midnight UTC) or ISO 8601 timestamps.
 * CRMs store instants, so every sandbox converts them the same way.
 */
export function canonicalTimeMs(text: string): number {
  if (text.length === 10) {
    const cached = dayCache.get(text);
    if (cached !== undefined) return cached;
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = dateOnly ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`"${text}" is not a date or ISO timestamp; write YYYY-MM-DD or e.g. 2026-07-31T14:00:00Z`);
  if (dateOnly && dayCache.size < 100_000) dayCache.set(text, ms);
  return ms;
}
