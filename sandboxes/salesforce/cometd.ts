import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChangeEventBus, ChangeEventMessage } from './cdc.js';
import { CDC_OBJECTS } from './schema.js';

/**
 * A Bayeux (CometD) long-polling endpoint with Salesforce's conventions, enough for the
 * Faye client inside jsforce (`conn.streaming.topic('/data/OpportunityChangeEvent')`):
 * /meta/handshake (advertises only long-polling and the replay extension), /meta/connect
 * (answered at once the first time, then held until events arrive or the hold time ends),
 * /meta/subscribe with `ext.replay`, /meta/unsubscribe, /meta/disconnect. Sessions are
 * checked on every request (`Authorization: OAuth <token>`); an expired one gets
 * `401::Authentication invalid` with `advice.reconnect = none`, which is what jsforce's
 * AuthFailure extension listens for — and what makes streams "stop silently" without it.
 */
type BayeuxMessage = Record<string, unknown> & { channel?: string | undefined; id?: string | undefined; clientId?: string | undefined };

interface Client {
  readonly id: string;
  readonly channels: Set<string>;
  readonly queue: ChangeEventMessage[];
  connected: boolean;
  pending: { res: ServerResponse; replies: BayeuxMessage[]; timer: NodeJS.Timeout } | undefined;
}

const CHANNEL = /^\/data\/(?:ChangeEvents|([A-Za-z0-9_]+?)ChangeEvent)$/;

export class CometdServer {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly bus: ChangeEventBus,
    private readonly isAuthorized: (authorization: string | undefined) => boolean,
    private readonly holdMs: () => number,
  ) {
    bus.onEvent((entity, data) => {
      for (const client of this.clients.values()) {
        for (const channel of client.channels) if (matches(channel, entity)) client.queue.push({ channel, data });
        this.flush(client);
      }
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  handle(body: unknown, authorization: string | undefined, res: ServerResponse): void {
    const messages = (Array.isArray(body) ? body : [body]).filter((m): m is BayeuxMessage => typeof m === 'object' && m !== null);
    const authorized = this.isAuthorized(authorization);
    const replies: BayeuxMessage[] = [];
    let hold: Client | undefined;
    for (const message of messages) {
      const base = { channel: message.channel, ...(message.id !== undefined ? { id: message.id } : {}) };
      if (message.channel === '/meta/handshake') {
        if (!authorized) {
          replies.push({ ...base, successful: false, error: '403::Handshake denied', advice: { reconnect: 'none' } });
          continue;
        }
        const id = randomBytes(12).toString('base64url');
        this.clients.set(id, { id, channels: new Set(), queue: [], connected: false, pending: undefined });
        replies.push({ ...base, clientId: id, version: '1.0', minimumVersion: '1.0', supportedConnectionTypes: ['long-polling'], successful: true, ext: { replay: true, 'payload.format': true }, advice: { interval: 0, timeout: this.holdMs(), reconnect: 'retry' } });
        continue;
      }
      const client = typeof message.clientId === 'string' ? this.clients.get(message.clientId) : undefined;
      if (!client) {
        replies.push({ ...base, successful: false, error: '403::Unknown client', advice: { reconnect: 'handshake', interval: 0 } });
        continue;
      }
      const withClient = { ...base, clientId: client.id };
      if (!authorized) {
        replies.push({ ...withClient, successful: false, error: '401::Authentication invalid', advice: { reconnect: 'none' } });
        this.drop(client);
        continue;
      }
      switch (message.channel) {
        case '/meta/connect':
          replies.push({ ...withClient, successful: true, advice: { interval: 0, timeout: this.holdMs(), reconnect: 'retry' } });
          hold = client;
          break;
        case '/meta/subscribe': {
          const subscription = String(message['subscription'] ?? '');
          const error = this.subscribe(client, subscription, message['ext']);
          replies.push(error ? { ...withClient, subscription, successful: false, error } : { ...withClient, subscription, successful: true });
          break;
        }
        case '/meta/unsubscribe': {
          const subscription = String(message['subscription'] ?? '');
          client.channels.delete(subscription);
          replies.push({ ...withClient, subscription, successful: true });
          break;
        }
        case '/meta/disconnect':
          replies.push({ ...withClient, successful: true });
          this.drop(client);
          break;
        default:
          replies.push({ ...withClient, successful: false, error: `403:${String(message.channel)}:Publishing is not supported` });
      }
    }
    if (!hold) {
      send(res, replies);
      return;
    }
    const client = hold;
    // A new connect replaces a held one (the client gave up on it).
    if (client.pending) this.release(client);
    const first = !client.connected;
    client.connected = true;
    if (first || client.queue.length > 0) {
      send(res, [...client.queue.splice(0), ...replies]);
      return;
    }
    const timer = setTimeout(() => this.release(client), this.holdMs());
    client.pending = { res, replies, timer };
    res.on('close', () => {
      if (client.pending?.res === res) {
        clearTimeout(client.pending.timer);
        client.pending = undefined;
      }
    });
  }

  /** Ends every held connect (on shutdown). */
  close(): void {
    for (const client of this.clients.values()) this.release(client);
    this.clients.clear();
  }

  private subscribe(client: Client, channel: string, ext: unknown): string | undefined {
    const m = CHANNEL.exec(channel);
    if (!m || (m[1] !== undefined && !CDC_OBJECTS.has(m[1]))) return `400::The channel you requested to subscribe to does not exist {${channel}}`;
    const replay = (ext as { replay?: Record<string, unknown> } | undefined)?.replay?.[channel];
    const replayId = typeof replay === 'number' ? replay : typeof replay === 'string' ? Number(replay) : -1;
    const entity = m[1];
    if (replayId === -2) client.queue.push(...this.bus.since(entity, 0).map((data) => ({ channel, data })));
    else if (replayId >= 0) {
      const oldest = this.bus.oldestReplayId;
      if (replayId > this.bus.lastReplayId || (oldest !== undefined && replayId < oldest - 1)) {
        return `400::The replayId {${replayId}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
      }
      client.queue.push(...this.bus.since(entity, replayId).map((data) => ({ channel, data })));
    } else if (replayId !== -1) return `400::The replayId {${replayId}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
    client.channels.add(channel);
    // Replayed events go out with the next connect, after the subscribe reply.
    setImmediate(() => this.flush(client));
    return undefined;
  }

  private flush(client: Client): void {
    if (client.pending && client.queue.length > 0) this.release(client);
  }

  private release(client: Client): void {
    const pending = client.pending;
    if (!pending) return;
    client.pending = undefined;
    clearTimeout(pending.timer);
    send(pending.res, [...client.queue.splice(0), ...pending.replies]);
  }

  private drop(client: Client): void {
    this.release(client);
    this.clients.delete(client.id);
  }
}

function matches(channel: string, entity: string): boolean {
  return channel === '/data/ChangeEvents' || channel === `/data/${entity}ChangeEvent`;
}

function send(res: ServerResponse, messages: readonly unknown[]): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(messages);
  res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
