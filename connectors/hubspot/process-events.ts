import { loadEvents } from '../core/event-receipts.js';
import { writeSyncPage } from '../core/sync-sink.js';
import type { Deal } from '../../shared/src/domain/deals.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { attachSplits } from './deal-splits.js';
import { dealProperties, dealTombstone, mapDeal } from './map-deal.js';
import { knownStageIds } from './stream-deals.js';
import type { HsObject } from './hubspot-values.js';
import { reportProblems, type SyncEnv } from './sync-env.js';
import { WebhookEvent } from './webhook-receiver.js';

/** Batch reads take up to 100 ids. */
export const BATCH_READ_SIZE = 100;

const DEAL_TYPE_ID = '0-3';
/** Streams other than deals that a webhook can name; their events trigger an incremental sync of that stream. */
const STREAM_OF_TYPE: Readonly<Record<string, string>> = { contact: '', company: '', '0-1': '', '0-2': '', call: 'calls', '0-48': 'calls', email: 'emails', '0-49': 'emails', meeting: 'meetings', '0-47': 'meetings', task: 'tasks', '0-27': 'tasks' };

function objectOf(e: WebhookEvent): string {
  if (e.subscriptionType.startsWith('object.')) return e.objectTypeId ?? '';
  return e.subscriptionType.split('.')[0] ?? '';
}

/**
 * Processes stored webhook events: the changed deals are read back in batches (the
 * event says only THAT a deal changed, and events arrive out of order, so the current
 * state is the truth), written as one page, and recomputes follow. Deleted deals come
 * back from the archived batch read as tombstones. Events for engagements start an
 * incremental sync of their stream.
 */
export async function processWebhookEvents(env: SyncEnv, batchId: string, eventIds: readonly string[]): Promise<{ events: number }> {
  const stored = await loadEvents(env.db, env.tenantId, 'hubspot', eventIds);
  const dealIds = new Set<string>();
  const deletedIds = new Set<string>();
  const streams = new Set<string>();
  for (const row of stored) {
    const parsed = WebhookEvent.safeParse(row.payload);
    if (!parsed.success) {
      env.logger.warn({ tenantId: env.tenantId, eventId: row.id }, 'stored webhook event does not parse: skipped');
      continue;
    }
    const e = parsed.data;
    const object = objectOf(e);
    if (object === 'deal' || object === DEAL_TYPE_ID) {
      if (e.subscriptionType.endsWith('.deletion')) deletedIds.add(e.objectId);
      else dealIds.add(e.objectId);
    } else if (STREAM_OF_TYPE[object]) streams.add(STREAM_OF_TYPE[object]!);
  }

  const properties = dealProperties(await knownStageIds(env));
  const ctx = { homeCurrency: env.homeCurrency };
  const deals: Versioned<Deal>[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  const live = [...dealIds];
  for (let i = 0; i < live.length; i += BATCH_READ_SIZE) {
    const inputs = live.slice(i, i + BATCH_READ_SIZE).map((id) => ({ id }));
    const response = await env.gateway.call('general', 'reading changed deals', (c) => c.crm.deals.batchApi.read({ inputs, properties, propertiesWithHistory: [] }, false));
    const found = new Set<string>();
    for (const o of response.results as readonly HsObject[]) {
      found.add(o.id);
      const m = mapDeal(o, ctx);
      if (m.ok) deals.push(m.value);
      else problems.push(m.problem);
    }
    for (const { id } of inputs) if (!found.has(id)) missing.push(id);
  }
  // Deleted deals, and changed ones that were deleted since: the archived read has their last state.
  const gone = [...new Set([...deletedIds, ...missing])];
  for (let i = 0; i < gone.length; i += BATCH_READ_SIZE) {
    const inputs = gone.slice(i, i + BATCH_READ_SIZE).map((id) => ({ id }));
    const response = await env.gateway.call('general', 'reading deleted deals', (c) => c.crm.deals.batchApi.read({ inputs, properties, propertiesWithHistory: [] }, true));
    for (const o of response.results as readonly HsObject[]) if (o.archived !== false) deals.push(dealTombstone(o, ctx));
  }
  const withSplits = await attachSplits(env, deals.filter((d) => !d.deleted), problems);
  reportProblems(env, 'deals', problems);
  await writeSyncPage(
    { db: env.db, enqueue: env.enqueue },
    // A cursor of its own: the deal stream's search cursor must not move because of a webhook.
    { tenantId: env.tenantId, source: 'hubspot', object: 'deal-webhooks' },
    { phase: 'incremental', cursor: { lastBatch: batchId } },
    { deals: [...withSplits, ...deals.filter((d) => d.deleted)] },
    `webhook-batch:${batchId}`,
  );
  for (const object of [...streams].sort()) {
    await env.enqueue('crm-sync', 'sync-object', { tenantId: env.tenantId, source: 'hubspot', object, mode: 'incremental', cause: `webhook-batch:${batchId}` });
  }
  return { events: stored.length };
}
