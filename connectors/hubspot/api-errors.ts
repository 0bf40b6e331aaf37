/**
 * A non-2xx answer from HubSpot with its raw JSON body. The SDK deserializes error bodies
 * into its `Error` model, which drops the fields we need (`policyName` of a 429,
 * `status: "BAD_REFRESH_TOKEN"` of a refused refresh), so `captureErrors` reads the body
 * first and throws this instead.
 */
export class HubspotApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Readonly<Record<string, unknown>>,
    readonly headers: Readonly<Record<string, string>>,
    /** What we were doing (set by the gateway, which knows; the middleware does not). */
    public operation = 'a request',
  ) {
    super(`HubSpot answered ${status}: ${typeof body['message'] === 'string' ? body['message'] : JSON.stringify(body).slice(0, 300)}`);
    this.name = 'HubspotApiError';
  }

  get policyName(): string | undefined {
    return typeof this.body['policyName'] === 'string' ? this.body['policyName'] : undefined;
  }

  /** Retry-After in milliseconds, when HubSpot sent one (seconds or an HTTP date). */
  retryAfterMs(now: number = Date.now()): number | undefined {
    const raw = this.headers['retry-after'];
    if (raw === undefined) return undefined;
    if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.ceil(Number(raw) * 1000);
    const at = Date.parse(raw);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
  }

  /** The refresh token is gone: the app was uninstalled or the grant revoked. */
  get isRevokedGrant(): boolean {
    return this.status >= 400 && this.status < 500 && (this.body['status'] === 'BAD_REFRESH_TOKEN' || this.body['error'] === 'invalid_grant' || this.body['status'] === 'invalid_grant');
  }
}

interface ResponseLike {
  readonly httpStatusCode: number;
  readonly headers: Record<string, string>;
  readonly body: { text(): Promise<string> };
}

/**
 * SDK middleware: turns every error response into a HubspotApiError carrying the raw body
 * (the SDK buffers bodies, so reading it here does not consume it for the SDK).
 */
export function captureErrors(): { pre(ctx: unknown): unknown; post(ctx: unknown): unknown } {
  return {
    pre: (ctx) => ctx,
    async post(ctx) {
      const response = ctx as ResponseLike;
      if (response.httpStatusCode < 400) return ctx;
      const text = await response.body.text();
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text);
        body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { message: text };
      } catch {
        body = { message: text.slice(0, 500) };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers ?? {})) headers[k.toLowerCase()] = String(v);
      throw new HubspotApiError(response.httpStatusCode, body, headers);
    },
  };
}
