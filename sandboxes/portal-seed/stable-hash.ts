/**
 * FNV-1a over a string, as an unsigned 32-bit integer: a stable, platform-independent
 * hash so sandbox ids derived from canonical ids never change between runs.
 */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A well-mixed unsigned 32-bit value for (seed, n), used to jitter sequential ids. */
export function mix32(seed: number, n: number): number {
  let x = (seed ^ Math.imul(n, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A deterministic RFC 4122-shaped (version 4 layout) UUID for a name, for ids CRMs show as UUIDs. */
export function stableUuid(name: string): string {
  const words = [0, 1, 2, 3].map((k) => mix32(stableHash(name), k + 1).toString(16).padStart(8, '0'));
  const hex = words.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
