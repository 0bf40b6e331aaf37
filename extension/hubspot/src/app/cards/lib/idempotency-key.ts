/**
 * A fresh key per intended task. Web Crypto is present in the browser worker that runs the
 * card; the fallback only matters where it is missing, and still makes collisions between
 * one manager's clicks practically impossible (time + 80 random bits).
 */
export function newIdempotencyKey(): string {
  const webCrypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (webCrypto?.randomUUID) return webCrypto.randomUUID();
  const random = Array.from({ length: 5 }, () => Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')).join('');
  return `ck-${Date.now().toString(36)}-${random}`;
}
