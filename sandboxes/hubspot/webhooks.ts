import { createHash, createHmac } from 'node:crypto';

/**
 * HubSpot's v3 request signature: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)),
 * where `uri` is the full URL called with the percent-encodings of HubSpot's table decoded
 * (request-validation docs). `timestamp` is epoch milliseconds, sent as X-HubSpot-Request-Timestamp.
 */
export function signatureV3(input: { clientSecret: string; method: string; uri: string; body: string; timestamp: number | string }): string {
  const source = `${input.method.toUpperCase()}${decodeSignatureUri(input.uri)}${input.body}${input.timestamp}`;
  return createHmac('sha256', input.clientSecret).update(source, 'utf8').digest('base64');
}

/** The v1 webhook signature HubSpot still sends alongside v3: hex(SHA-256(clientSecret + body)). */
export function signatureV1(clientSecret: string, body: string): string {
  return createHash('sha256').update(clientSecret + body, 'utf8').digest('hex');
}

const SIGNATURE_DECODES: readonly (readonly [string, string])[] = [
  ['%3A', ':'], ['%2F', '/'], ['%3F', '?'], ['%40', '@'], ['%21', '!'], ['%24', '$'], ['%27', "'"], ['%28', '('], ['%29', ')'], ['%2A', '*'], ['%2C', ','], ['%3B', ';'],
];

/** Decodes exactly the characters HubSpot's v3 table lists (case-insensitively); nothing else. */
export function decodeSignatureUri(uri: string): string {
  let out = uri;
  for (const [encoded, plain] of SIGNATURE_DECODES) out = out.replace(new RegExp(encoded, 'gi'), plain);
  return out;
}

export type SubscriptionType =
  | 'deal.creation'
  | 'deal.deletion'
  | 'deal.propertyChange'
  | 'deal.restore'
  | 'deal.merge'
  | 'deal.associationChange';

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: SubscriptionType;
  attemptNumber: number;
  objectId: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource: string;
  changeFlag?: string;
  sourceId?: string;
}

export type WebhookEventInput = Pick<WebhookEvent, 'subscriptionType' | 'objectId'> & Partial<Omit<WebhookEvent, 'subscriptionType' | 'objectId'>>;

export interface WebhookConfig {
  readonly targetUrl: string;
  /** Which subscription types deliver; default all deal.* types. */
  readonly subscriptions?: readonly SubscriptionType[];
  /** For deal.propertyChange: the properties subscribed to; default all. */
  readonly propertyNames?: readonly string[];
  /** Delays before retry 1, 2, …; HubSpot retries up to 10 times over 24 h. Default: no retries. */
  readonly retryDelaysMs?: readonly number[];
  /** Events per POST; HubSpot batches up to 100 (❓). */
  readonly batchSize?: number;
}

export interface Delivery {
  readonly url: string;
  readonly attemptNumber: number;
  readonly events: readonly WebhookEvent[];
  readonly status: number | 'network-error';
}

/** HubSpot's classic webhook status codes that are not retried. */
const NOT_RETRIED = new Set([400, 401, 403, 404, 405]);

/**
 * Sends webhook batches the way HubSpot does: a JSON array POSTed to the app's target
 * URL with X-HubSpot-Signature-v3 + X-HubSpot-Request-Timestamp (and the v1 pair).
 */
export class WebhookSender {
  private config: WebhookConfig | undefined;
  private nextEventId = 1;
  private queue: WebhookEvent[] = [];
  private flushScheduled = false;
  private readonly pending = new Set<Promise<void>>();
  readonly deliveries: Delivery[] = [];

  constructor(private readonly app: { clientSecret: string; appId: number; portalId: number }) {}

  configure(config: WebhookConfig | undefined): void {
    this.config = config;
  }

  /** Queues an event from a mutation; events of the same tick go out as one batch. */
  emit(input: WebhookEventInput): void {
    const config = this.config;
    if (!config) return;
    if (config.subscriptions && !config.subscriptions.includes(input.subscriptionType)) return;
    if (input.subscriptionType === 'deal.propertyChange' && config.propertyNames && !config.propertyNames.includes(input.propertyName ?? '')) return;
    this.queue.push(this.complete(input));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        const events = this.queue;
        this.queue = [];
        const size = config.batchSize ?? 100;
        for (let k = 0; k < events.length; k += size) this.track(this.deliver(config.targetUrl, events.slice(k, k + size), 0, config.retryDelaysMs ?? []));
      });
    }
  }

  /** Posts one batch now (to `targetUrl` or the configured one); resolves with the receiver's status. */
  async send(inputs: readonly WebhookEventInput[], targetUrl?: string): Promise<number | 'network-error'> {
    const url = targetUrl ?? this.config?.targetUrl;
    if (!url) throw new Error('no webhook target: pass targetUrl or configure one with webhooks.configure({ targetUrl })');
    const events = inputs.map((e) => this.complete(e));
    return this.post(url, events, 0);
  }

  /** Resolves once every queued and retrying delivery has finished. */
  async idle(): Promise<void> {
    while (this.flushScheduled || this.pending.size > 0) {
      if (this.flushScheduled) await new Promise((r) => setImmediate(r));
      await Promise.all([...this.pending]);
    }
  }

  private complete(input: WebhookEventInput): WebhookEvent {
    return {
      eventId: input.eventId ?? this.nextEventId++,
      subscriptionId: input.subscriptionId ?? subscriptionIdOf(input.subscriptionType),
      portalId: input.portalId ?? this.app.portalId,
      appId: input.appId ?? this.app.appId,
      occurredAt: input.occurredAt ?? Date.now(),
      subscriptionType: input.subscriptionType,
      attemptNumber: input.attemptNumber ?? 0,
      objectId: input.objectId,
      changeSource: input.changeSource ?? 'CRM',
      ...(input.propertyName !== undefined ? { propertyName: input.propertyName } : {}),
      ...(input.propertyValue !== undefined ? { propertyValue: input.propertyValue } : {}),
      ...(input.changeFlag !== undefined ? { changeFlag: input.changeFlag } : {}),
      ...(input.sourceId !== undefined ? { sourceId: input.sourceId } : {}),
    };
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(url: string, events: WebhookEvent[], attempt: number, delays: readonly number[]): Promise<void> {
    const status = await this.post(url, events.map((e) => ({ ...e, attemptNumber: attempt })), attempt);
    const retry = status === 'network-error' || (!(status >= 200 && status < 300) && !NOT_RETRIED.has(status));
    const delay = delays[attempt];
    if (retry && delay !== undefined) {
      await new Promise((r) => setTimeout(r, delay));
      await this.deliver(url, events, attempt + 1, delays);
    }
  }

  private async post(url: string, events: WebhookEvent[], attemptNumber: number): Promise<number | 'network-error'> {
    const body = JSON.stringify(events);
    const timestamp = Date.now();
    let status: number | 'network-error';
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nonprod)',
          'X-HubSpot-Signature-v3': signatureV3({ clientSecret: this.app.clientSecret, method: 'POST', uri: url, body, timestamp }),
          'X-HubSpot-Request-Timestamp': String(timestamp),
          'X-HubSpot-Signature': signatureV1(this.app.clientSecret, body),
          'X-HubSpot-Signature-Version': 'v1',
        },
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'network-error';
    }
    this.deliveries.push({ url, attemptNumber, events, status });
    return status;
  }
}

const SUBSCRIPTION_IDS: Readonly<Record<SubscriptionType, number>> = {
  'deal.creation': 1_100_001,
  'deal.deletion': 1_100_002,
  'deal.propertyChange': 1_100_003,
  'deal.restore': 1_100_004,
  'deal.merge': 1_100_005,
  'deal.associationChange': 1_100_006,
};

function subscriptionIdOf(type: SubscriptionType): number {
  return SUBSCRIPTION_IDS[type];
}
