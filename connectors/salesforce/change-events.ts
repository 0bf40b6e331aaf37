import { StreamingExtension } from 'jsforce/api/streaming';
import type { Logger } from 'pino';
import { loadEvents, recordNewEvents } from '../core/event-receipts.js';
import { readCursor, savePosition } from '../../worker/src/db/sync-cursors.js';
import type { ProcessWebhookBatch, SyncObject } from '../../worker/src/queues/families.js';
import type { Enqueue, JobContext, JobDeps } from '../../worker/src/queues/handler-registry.js';
import type { Db } from '../../worker/src/db/database.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { chunks, queryAllRows, soqlIdList } from './api.js';
import { activitiesByIds } from './activities-stream.js';
import type { SalesforceConfig } from './config.js';
import { dealsByIds } from './deals-stream.js';
import { toManagerLink, toUser } from './mapping.js';
import type { OrgMetadataCache } from './org-cache.js';
import { loadOrgContext } from './org-context.js';
import { userSoql, usersHaveCurrency } from './reference-streams.js';
import { openSession, type SalesforceSession } from './session.js';
import { commit, streamRun } from './stream-run.js';

/**
 * Change Data Capture through jsforce's CometD client (the only streaming transport jsforce
 * has; Pub/Sub API needs gRPC). Events are stored with recordNewEvents (id = entity, replay
 * id and transaction key, so a replayed event is dropped as a duplicate) and handed to a
 * 'process-webhook-batch' job, which re-reads the changed records by id: the event payload
 * carries only changed fields, and re-reading gives the whole current record with its
 * splits. The replay id is stored after each batch so a restart resumes where it stopped;
 * the periodic incremental sync is the safety net for anything CDC missed.
 */
export const CDC_CHANNELS = ['/data/OpportunityChangeEvent'] as const;
const REPLAY_CURSOR_OBJECT = 'cdc-replay';
const APPLY_CURSOR_OBJECT = 'cdc-apply';

export interface ChangeEventPayload {
  readonly ChangeEventHeader: { readonly entityName: string; readonly recordIds: readonly string[]; readonly changeType: string; readonly transactionKey: string; readonly sequenceNumber?: number; readonly commitTimestamp?: number };
}

interface StreamingMessage {
  readonly payload: ChangeEventPayload & Record<string, unknown>;
  readonly event: { readonly replayId: number };
}

export interface ChangeEventSubscription {
  /** Resolves when every channel's subscription is confirmed by the server. */
  readonly ready: Promise<void>;
  /** Stores and enqueues whatever arrived and is not yet handed over. */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** Events received (including duplicates) since start. */
  readonly received: number;
}

export interface SubscribeOptions {
  readonly channels?: readonly string[];
  /** Events are collected this long before they are stored and enqueued as one batch. */
  readonly batchMs?: number;
  readonly onError?: (err: Error) => void;
}

export async function subscribeChangeEvents(config: SalesforceConfig, deps: { db: Db; cipher: TokenCipher; enqueue: Enqueue; logger?: Logger | undefined }, tenantId: string, options: SubscribeOptions = {}): Promise<ChangeEventSubscription> {
  const channels = options.channels ?? CDC_CHANNELS;
  const batchMs = options.batchMs ?? 1_000;
  const stored = (await readCursor(deps.db, tenantId, 'salesforce', REPLAY_CURSOR_OBJECT))?.cursor as { replay?: Record<string, number> } | undefined;
  const replay: Record<string, number> = { ...(stored?.replay ?? {}) };
  let pending: Array<{ channel: string; message: StreamingMessage }> = [];
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let session: SalesforceSession = await openSession(config, deps, tenantId);
  let client: ReturnType<SalesforceSession['conn']['streaming']['createClient']> | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const flushNow = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const events = batch.map(({ channel, message }) => {
      const h = message.payload.ChangeEventHeader;
      return { id: `${h.entityName}:${message.event.replayId}:${h.transactionKey}`, payload: { channel, replayId: message.event.replayId, ...message.payload } };
    });
    const fresh = await recordNewEvents(deps.db, tenantId, 'salesforce', events);
    for (const ids of chunks(fresh, 1_000)) {
      const first = batch[0]!.message.event.replayId;
      const last = batch[batch.length - 1]!.message.event.replayId;
      await deps.enqueue('crm-sync', 'process-webhook-batch', { tenantId, source: 'salesforce', batchId: `cdc-${first}-${last}-${ids.length}`, eventIds: ids });
    }
    for (const { channel, message } of batch) replay[channel] = Math.max(replay[channel] ?? -1, message.event.replayId);
    await savePosition(deps.db, tenantId, 'salesforce', REPLAY_CURSOR_OBJECT, { phase: 'incremental', cursor: { replay } });
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    flushing = flushing.then(flushNow, flushNow).catch((err: unknown) => options.onError?.(err as Error));
    return flushing;
  };

  let confirm: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (confirm = resolve));
  const connect = (): void => {
    let confirmed = 0;
    const extensions: unknown[] = [
      // Sessions expire; without this the Faye client stops silently (jsforce#129): refresh
      // the token with one REST call and reconnect from the last replay id.
      new StreamingExtension.AuthFailure(() => void reconnect()),
      ...channels.map((ch) => new StreamingExtension.Replay(ch, replay[ch] ?? -1)),
    ];
    client = session.conn.streaming.createClient(extensions as never);
    for (const channel of channels) {
      const sub = client.subscribe(channel, (message: StreamingMessage) => {
        received += 1;
        pending.push({ channel, message });
        if (!timer) timer = setTimeout(() => void flush(), batchMs);
      });
      (sub as unknown as { callback(cb: () => void): void }).callback(() => {
        confirmed += 1;
        if (confirmed === channels.length) confirm();
      });
      (sub as unknown as { errback(cb: (err: Error) => void): void }).errback((err) => {
        deps.logger?.warn({ tenantId, channel, err: err.message }, 'salesforce CDC subscribe refused; replaying all retained events and scheduling an incremental sync');
        // The stored replay id fell out of the retention window: events were missed.
        replay[channel] = -2;
        void deps.enqueue('crm-sync', 'sync-object', { tenantId, source: 'salesforce', object: 'deals', mode: 'incremental', cause: `cdc-gap:${Date.now()}` } satisfies SyncObject).catch(() => undefined);
        void reconnect();
      });
    }
  };
  const reconnect = async (): Promise<void> => {
    if (stopped) return;
    try {
      (client as unknown as { disconnect?(): void } | undefined)?.disconnect?.();
    } catch {
      // already gone
    }
    try {
      // Any REST call 401s with the expired token and goes through our refresh function.
      await session.conn.request('/limits');
    } catch (err) {
      options.onError?.(err as Error);
      session = await openSession(config, deps, tenantId);
    }
    if (!stopped) connect();
  };
  connect();
  return {
    ready,
    flush,
    get received() {
      return received;
    },
    async stop() {
      stopped = true;
      await flush();
      try {
        (client as unknown as { disconnect?(): void } | undefined)?.disconnect?.();
      } catch {
        // already gone
      }
    },
  };
}

/** The 'process-webhook-batch' handler: re-read the changed records by id and write them. */
export async function processChangeEvents(config: SalesforceConfig, cipher: TokenCipher, orgCache: OrgMetadataCache, payload: ProcessWebhookBatch, deps: JobDeps, ctx: JobContext | undefined): Promise<{ events: number }> {
  const events = await loadEvents(deps.db, payload.tenantId, 'salesforce', payload.eventIds);
  const byEntity = new Map<string, Set<string>>();
  for (const e of events) {
    const header = (e.payload as Partial<ChangeEventPayload>).ChangeEventHeader;
    if (!header) continue;
    const set = byEntity.get(header.entityName) ?? new Set<string>();
    for (const id of header.recordIds) set.add(id);
    byEntity.set(header.entityName, set);
  }
  if (byEntity.size === 0) return { events: events.length };
  const session = await openSession(config, { db: deps.db, cipher, logger: deps.logger }, payload.tenantId);
  const run = streamRun(session, config, { tenantId: payload.tenantId, source: 'salesforce', object: APPLY_CURSOR_OBJECT, mode: 'incremental', cause: `cdc:${payload.batchId}` }, deps, ctx, 1_000, orgCache);
  const cursor = { lastBatch: payload.batchId };
  const oppIds = [...(byEntity.get('Opportunity') ?? [])];
  if (oppIds.length > 0) {
    const org = await loadOrgContext(session, deps.db, orgCache);
    await commit(run, cursor, { deals: await dealsByIds(run, org, oppIds) }, true);
  }
  for (const [entity, kind] of [['Task', 'tasks'], ['Event', 'events']] as const) {
    const ids = [...(byEntity.get(entity) ?? [])];
    if (ids.length > 0) await commit(run, cursor, { activities: await activitiesByIds(run, kind, ids) }, true);
  }
  const userIds = [...(byEntity.get('User') ?? [])];
  if (userIds.length > 0) {
    const tenant = await deps.db.selectFrom('tenants').select('home_currency').where('id', '=', payload.tenantId).executeTakeFirstOrThrow();
    const multiCurrency = await usersHaveCurrency(run);
    for (const ids of chunks(userIds, 400)) {
      const rows = await queryAllRows(session, userSoql(multiCurrency, `Id IN ${soqlIdList(ids)}`));
      await commit(run, cursor, { users: rows.map((r) => toUser(r, tenant.home_currency)), managerLinks: { userIds: rows.map((r) => r.Id), links: rows.map(toManagerLink) } }, true);
    }
  }
  return { events: events.length };
}
