import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { recordNewEvents } from '../core/event-receipts.js';
import type { Db } from '../../worker/src/db/database.js';
import type { Enqueue } from '../../worker/src/queues/handler-registry.js';
import { verifySignatureV3, type SignedRequest } from './signature-v3.js';

/** One event of a HubSpot webhook delivery (a JSON array of up to 100 events). */
export const WebhookEvent = z.looseObject({
  eventId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String),
  subscriptionId: z.union([z.number(), z.string()]).optional(),
  portalId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String),
  appId: z.union([z.number(), z.string()]).optional(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().int().optional(),
  objectId: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  objectTypeId: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.unknown().optional(),
  changeSource: z.string().optional(),
});
export type WebhookEvent = z.output<typeof WebhookEvent>;
export const WebhookBatch = z.array(WebhookEvent).min(1).max(1_000);

export type WebhookVerdict =
  | { readonly status: 401; readonly reason: string }
  | { readonly status: 400; readonly reason: string }
  | { readonly status: 200; readonly accepted: number; readonly duplicates: number; readonly ignored: number; readonly batches: readonly string[] };

export interface WebhookDeps {
  readonly db: Db;
  readonly enqueue: Enqueue;
  readonly clientSecret: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Verifies, parses and stores a webhook delivery, then enqueues one processing job per
 * portal for the events not seen before. Returns what to answer: 401 for a bad
 * signature (HubSpot does not retry 4xx), 2xx as soon as the events are stored.
 */
export async function receiveWebhook(request: SignedRequest, deps: WebhookDeps): Promise<WebhookVerdict> {
  const verdict = verifySignatureV3(request, deps.clientSecret, (deps.now ?? Date.now)());
  if (!verdict.ok) return { status: 401, reason: `signature rejected: ${verdict.reason}` };
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch {
    return { status: 400, reason: 'the body is not JSON' };
  }
  const parsed = WebhookBatch.safeParse(json);
  if (!parsed.success) return { status: 400, reason: `not a HubSpot webhook batch: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };

  const byPortal = new Map<string, WebhookEvent[]>();
  for (const e of parsed.data) byPortal.set(e.portalId, [...(byPortal.get(e.portalId) ?? []), e]);
  let accepted = 0;
  let duplicates = 0;
  let ignored = 0;
  const batches: string[] = [];
  for (const [portalId, events] of byPortal) {
    const tenant = await deps.db.selectFrom('tenants').select(['id', 'status']).where('source', '=', 'hubspot').where('external_id', '=', portalId).executeTakeFirst();
    if (!tenant || tenant.status !== 'active') {
      // Acknowledged, or HubSpot retries for 24 h events nobody will process.
      deps.logger.warn({ portalId, events: events.length }, 'webhook events for a portal with no active installation: ignored');
      ignored += events.length;
      continue;
    }
    const fresh = await recordNewEvents(deps.db, tenant.id, 'hubspot', events.map((e) => ({ id: e.eventId, payload: e })));
    duplicates += events.length - fresh.length;
    accepted += fresh.length;
    if (fresh.length === 0) continue;
    const batchId = `wh-${createHash('sha256').update([...fresh].sort().join(',')).digest('hex').slice(0, 32)}`;
    for (let i = 0; i < fresh.length; i += 1_000) {
      const id = fresh.length > 1_000 ? `${batchId}-${i / 1_000}` : batchId;
      await deps.enqueue('crm-sync', 'process-webhook-batch', { tenantId: tenant.id, source: 'hubspot', batchId: id, eventIds: fresh.slice(i, i + 1_000) });
      batches.push(id);
    }
  }
  return { status: 200, accepted, duplicates, ignored, batches };
}
