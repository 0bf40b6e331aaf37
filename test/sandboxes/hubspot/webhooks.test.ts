import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Signature } from '@hubspot/api-client';
import type { HubspotSandbox, WebhookEvent } from '../../../sandboxes/hubspot/index.js';
import { CLIENT_SECRET, startSmall } from './fixture.js';

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in turn (then 200). */
const replies: number[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(replies.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

let sandbox: HubspotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  received.length = 0;
  replies.length = 0;
});

/** The documented v3 check, written out: base64 HMAC-SHA256 over method + decoded URI + body + timestamp. */
function documentedV3(uri: string, body: string, timestamp: string): string {
  const decoded = uri.replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%3F/gi, '?').replace(/%40/gi, '@').replace(/%21/gi, '!').replace(/%24/gi, '$').replace(/%27/gi, "'").replace(/%28/gi, '(').replace(/%29/gi, ')').replace(/%2A/gi, '*').replace(/%2C/gi, ',').replace(/%3B/gi, ';');
  return createHmac('sha256', CLIENT_SECRET).update(`POST${decoded}${body}${timestamp}`).digest('base64');
}

describe('webhooks', () => {
  it('signs a batch with X-HubSpot-Signature-v3 that the documented algorithm and the SDK verify', async () => {
    sandbox = await startSmall();
    // A target with percent-encoded characters from HubSpot's decode table.
    const target = `${receiverUrl}/hooks/hubspot?tenant=acme%3Aeu&x=%28y%29`;
    const status = await sandbox.webhooks.send([{ subscriptionType: 'deal.propertyChange', objectId: 123, propertyName: 'amount', propertyValue: '10' }], target);
    expect(status).toBe(200);
    const [hit] = received;
    const timestamp = String(hit!.headers['x-hubspot-request-timestamp']);
    const uri = `${receiverUrl}${hit!.url}`;
    expect(hit!.headers['x-hubspot-signature-v3']).toBe(documentedV3(uri, hit!.body, timestamp));
    // The SDK helper does not decode the URI itself, so it gets the decoded one.
    const decodedUri = uri.replace('%3A', ':').replace('%28', '(').replace('%29', ')');
    expect(Signature.isValid({ signatureVersion: 'v3', signature: String(hit!.headers['x-hubspot-signature-v3']), clientSecret: CLIENT_SECRET, requestBody: hit!.body, url: decodedUri, method: 'POST', timestamp: Number(timestamp) })).toBe(true);
    // A different secret does not verify.
    expect(createHmac('sha256', 'other').update(`POST${decodedUri}${hit!.body}${timestamp}`).digest('base64')).not.toBe(hit!.headers['x-hubspot-signature-v3']);
    const events = JSON.parse(hit!.body) as WebhookEvent[];
    expect(events).toEqual([expect.objectContaining({ portalId: sandbox.portalId, appId: sandbox.appId, subscriptionType: 'deal.propertyChange', objectId: 123, propertyName: 'amount', propertyValue: '10', attemptNumber: 0 })]);
  });

  it('delivers mutations as one batch of events to the configured target', async () => {
    sandbox = await startSmall({ webhooks: { targetUrl: `${receiverUrl}/hooks`, propertyNames: ['dealstage', 'amount'] } });
    const d2 = sandbox.idMap.toExternal('deal', 'd2')!;
    const d4 = sandbox.idMap.toExternal('deal', 'd4')!;
    sandbox.mutations.updateDeal(d2, { dealstage: 'won', dealname: 'Beta GmbH (signed)' });
    sandbox.mutations.archiveDeal(d4);
    await sandbox.webhooks.idle();
    expect(received).toHaveLength(1);
    const events = JSON.parse(received[0]!.body) as WebhookEvent[];
    // dealname is not subscribed; the stage change and the deletion are, in order, with increasing event ids.
    expect(events.map((e) => [e.subscriptionType, e.objectId, e.propertyName, e.propertyValue])).toEqual([
      ['deal.propertyChange', Number(d2), 'dealstage', 'won'],
      ['deal.deletion', Number(d4), undefined, undefined],
    ]);
    expect(events[1]!.eventId).toBeGreaterThan(events[0]!.eventId);
  });

  it('retries a 503 with a higher attemptNumber but never a 400', async () => {
    sandbox = await startSmall({ webhooks: { targetUrl: `${receiverUrl}/hooks`, retryDelaysMs: [1, 1] } });
    const d1 = sandbox.idMap.toExternal('deal', 'd1')!;
    replies.push(503);
    sandbox.mutations.updateDeal(d1, { amount: '1100' });
    await sandbox.webhooks.idle();
    expect(received.map((r) => (JSON.parse(r.body) as WebhookEvent[])[0]!.attemptNumber)).toEqual([0, 1]);
    received.length = 0;
    replies.push(400);
    sandbox.mutations.updateDeal(d1, { amount: '1200' });
    await sandbox.webhooks.idle();
    expect(received).toHaveLength(1);
  });
});
