import { createRequire } from 'node:module';
import type jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandboxes/salesforce/index.js';
import { connect, startSmallSandbox } from './support.js';

// jsforce documents the streaming extensions as a CommonJS subpath.
const { StreamingExtension } = createRequire(import.meta.url)('jsforce/api/streaming') as {
  StreamingExtension: { Replay: new (channel: string, replayId: number) => object; AuthFailure: new (cb: (message: unknown) => void) => object };
};

interface ChangeEvent {
  schema: string;
  payload: { ChangeEventHeader: { entityName: string; recordIds: string[]; changeType: string; changedFields: string[]; commitTimestamp: number; commitUser: string; transactionKey: string; sequenceNumber: number }; [field: string]: unknown };
  event: { replayId: number };
}

interface FayeClient {
  subscribe(channel: string, cb: (message: ChangeEvent) => void): PromiseLike<unknown> & { cancel(): void };
  disconnect(): void;
}

let sandbox: SalesforceSandbox | undefined;
const clients: FayeClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await sandbox?.close();
  sandbox = undefined;
});

function streamingClient(conn: jsforce.Connection, extensions: object[] = []): FayeClient {
  const client = (conn.streaming as unknown as { createClient(ext: object[]): FayeClient }).createClient(extensions);
  clients.push(client);
  return client;
}

function nextEvents(count: number): { received: ChangeEvent[]; done: Promise<ChangeEvent[]>; push(e: ChangeEvent): void } {
  const received: ChangeEvent[] = [];
  let resolve: (events: ChangeEvent[]) => void = () => {};
  const done = new Promise<ChangeEvent[]>((r) => (resolve = r));
  return {
    received,
    done,
    push(e) {
      received.push(e);
      if (received.length === count) resolve(received);
    },
  };
}

describe('Change Data Capture over CometD (jsforce streaming)', () => {
  it('delivers UPDATE, DELETE and UNDELETE events for opportunities to /data/OpportunityChangeEvent', async () => {
    sandbox = await startSmallSandbox({ cometdHoldMs: 5_000 }, 10);
    const conn = connect(sandbox);
    const events = nextEvents(3);
    const subscription = conn.streaming.topic('/data/OpportunityChangeEvent').subscribe((m) => events.push(m as unknown as ChangeEvent));
    await subscription; // resolves when the server confirmed the subscription
    clients.push((conn.streaming as unknown as { _fayeClients: Record<string, FayeClient> })._fayeClients['pushTopic']!);

    const opp = sandbox.org.table('Opportunity').rows.find((r) => r['IsClosed'] === false)!;
    const id = opp['Id'] as string;
    sandbox.mutations.updateOpportunity(id, { StageName: 'Closed won' });
    sandbox.mutations.deleteOpportunity(id);
    sandbox.mutations.undeleteOpportunity(id);
    const [update, del, undelete] = await events.done;

    expect(update!.payload.ChangeEventHeader).toMatchObject({ entityName: 'Opportunity', recordIds: [id], changeType: 'UPDATE', commitUser: sandbox.integrationUserId, sequenceNumber: 1 });
    // Moving to a won stage also changes the fields Salesforce derives from the stage.
    expect([...update!.payload.ChangeEventHeader.changedFields].sort()).toEqual(['ExpectedRevenue', 'ForecastCategory', 'ForecastCategoryName', 'IsClosed', 'IsWon', 'LastModifiedDate', 'LastStageChangeDate', 'Probability', 'StageName']);
    expect(update!.payload).toMatchObject({ StageName: 'Closed won', IsWon: true, IsClosed: true, Probability: 100 });
    expect(update!.payload['SystemModstamp']).toBeUndefined();
    expect(del!.payload.ChangeEventHeader.changeType).toBe('DELETE');
    expect(Object.keys(del!.payload)).toEqual(['ChangeEventHeader']);
    expect(undelete!.payload.ChangeEventHeader.changeType).toBe('UNDELETE');
    expect(undelete!.payload['Name']).toBe(opp['Name']);
    expect(del!.event.replayId).toBe(update!.event.replayId + 1);
  });

  it('replays retained events with replayId -2 and skips them with -1', async () => {
    sandbox = await startSmallSandbox({ cometdHoldMs: 5_000 }, 10);
    const conn = connect(sandbox);
    const [a, b] = sandbox.org.table('Opportunity').rows.map((r) => r['Id'] as string);
    sandbox.mutations.updateOpportunity(a!, { Amount: '100.10' });
    sandbox.mutations.updateOpportunity(b!, { Amount: '200.20' });

    const replayed = nextEvents(2);
    const all = streamingClient(conn, [new StreamingExtension.Replay('/data/OpportunityChangeEvent', -2)]);
    await all.subscribe('/data/OpportunityChangeEvent', (m) => replayed.push(m));
    const events = await replayed.done;
    expect(events.map((e) => [e.payload.ChangeEventHeader.recordIds[0], e.payload['Amount']])).toEqual([[a, 100.1], [b, 200.2]]);

    const onlyNew = nextEvents(1);
    const fresh = streamingClient(conn, [new StreamingExtension.Replay('/data/OpportunityChangeEvent', -1)]);
    await fresh.subscribe('/data/OpportunityChangeEvent', (m) => onlyNew.push(m));
    sandbox.mutations.updateOpportunity(a!, { Amount: '300' });
    const [latest] = await onlyNew.done;
    expect(latest!.payload['Amount']).toBe(300);
    expect(onlyNew.received).toHaveLength(1);
  });

  it('ends the stream with 401::Authentication invalid when the session expires', async () => {
    sandbox = await startSmallSandbox({ cometdHoldMs: 300 }, 10);
    const conn = connect(sandbox);
    let failure: unknown;
    let client: FayeClient | undefined;
    const failed = new Promise<void>((resolve) => {
      client = streamingClient(conn, [new StreamingExtension.AuthFailure((message) => { failure = message; resolve(); })]);
    });
    await client!.subscribe('/data/OpportunityChangeEvent', () => {}); // connected and subscribed
    sandbox.faults.expireSessions();
    await failed;
    expect(failure).toMatchObject({ channel: '/meta/connect', successful: false, error: '401::Authentication invalid', advice: { reconnect: 'none' } });
  });
});
