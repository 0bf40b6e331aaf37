import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot request signature v3, used both on webhook deliveries and on `hubspot.fetch`
 * calls from the UI-extension cards (one implementation serves both).
 *
 * source = METHOD + decoded full URL + raw body + timestamp(ms); signature =
 * base64(HMAC-SHA256(client secret, source)). The timestamp must be at most five minutes
 * old (HubSpot's SDK uses 300,000 ms) and, unlike the SDK, not in the future beyond a small
 * clock skew, so a captured request cannot be replayed later.
 */
export const MAX_SIGNATURE_AGE_MS = 300_000;
const MAX_CLOCK_SKEW_MS = 30_000;

// HubSpot decodes exactly these escapes before hashing; decoding the whole URL (e.g. %20,
// %2B) would make signatures of URLs with spaces or plus signs disagree with HubSpot's.
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

export interface SignedRequest {
  readonly method: string;
  /** The full public URL HubSpot called: protocol, host, path and query. */
  readonly url: string;
  /** The raw body exactly as received ('' when there is none). */
  readonly rawBody: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
}

export type SignatureVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing-headers' | 'bad-timestamp' | 'stale' | 'future' | 'mismatch' };

export function signV3(clientSecret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  const source = `${method.toUpperCase()}${decodeSignedUri(url)}${rawBody}${timestamp}`;
  return createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64');
}

export function verifySignatureV3(request: SignedRequest, clientSecret: string, now: number = Date.now()): SignatureVerdict {
  if (!request.signature || !request.timestamp) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,16}$/.test(request.timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const sentAt = Number(request.timestamp);
  if (now - sentAt > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'stale' };
  if (sentAt - now > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'future' };
  const expected = Buffer.from(signV3(clientSecret, request.method, request.url, request.rawBody, request.timestamp), 'utf8');
  const given = Buffer.from(request.signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

/**
 * The public URL HubSpot signed. Behind a TLS-terminating proxy the app sees http:// and
 * an internal host; HubSpot signed https:// and the public host, so trust the forwarded
 * headers only when the deployment says a proxy is in front (`trustProxy`).
 */
export function publicRequestUrl(req: { readonly protocol: string; readonly originalUrl: string; readonly headers: Readonly<Record<string, string | string[] | undefined>> }, trustProxy: boolean): string {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const proto = (trustProxy && first(req.headers['x-forwarded-proto'])) || req.protocol;
  const host = (trustProxy && first(req.headers['x-forwarded-host'])) || first(req.headers['host']) || 'localhost';
  return `${proto}://${host}${req.originalUrl}`;
}
