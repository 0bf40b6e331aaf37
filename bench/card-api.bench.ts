import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { parseDataset } from '../shared/src/input/dataset.schema.js';
import { generatePlans, generateTenant } from '../shared/src/synthetic/index.js';
import { createServerDatabase, createEmbeddedDatabase, type TestDatabase } from '../test/support/databases.js';
import { importDataset } from '../worker/src/db/import-dataset.js';
import { savePlanVersion } from '../worker/src/db/plans.js';
import type { Enqueue } from '../worker/src/queues/handler-registry.js';
import { recompute } from '../worker/src/recompute/recompute.js';
import { TokenCipher } from '../worker/src/secrets/token-cipher.js';
import { signV3 } from '../connectors/hubspot/signature-v3.js';
import { createApp } from '../extension/backend/src/app.js';
import { loadConfig } from '../extension/backend/src/config.js';
import type { BenchDefinition, BenchReport } from './bench-types.js';
import { percentile } from './support.js';

/**
 * Card API latency under load: 200 concurrent keep-alive clients on loopback send signed
 * hubspot.fetch requests (rep, deal and manager cards for many different users), against
 * a bare express route answering {"ok":true} measured in the same run, on the same
 * machine, with the same client. The ratio of the two p99s is the card API's own cost:
 * signature check, tenant cache, authorisation and a card view of a few kilobytes.
 * Cards are measured warm (each distinct card computed once before); the one-off cost of
 * computing a card after a statement run is reported separately.
 */
const CLIENTS = Number(process.env['BENCH_CARD_CLIENTS'] ?? 200);
const REQUESTS = Number(process.env['BENCH_CARD_REQUESTS'] ?? 20_000);
const REPS = Number(process.env['BENCH_CARD_REPS'] ?? 200);
const DEALS = Number(process.env['BENCH_CARD_DEALS'] ?? 20_000);
const TARGET_RATIO = 2;
const SECRET = 'bench-hubspot-client-secret';
const PORTAL = '4242';
const HOST = 'cards.bench.example';

interface Call {
  readonly path: string;
  readonly headers: Record<string, string>;
}

/** A request to send; `sign` makes it at send time, as HubSpot does (signatures expire after five minutes). */
type Request = () => Call;

function signed(path: string, email: string, now: () => number): Request {
  const full = `${path}${path.includes('?') ? '&' : '?'}portalId=${PORTAL}&userId=1&userEmail=${encodeURIComponent(email)}&appId=1`;
  return () => {
    const timestamp = String(now());
    return { path: full, headers: { 'x-hubspot-signature-v3': signV3(SECRET, 'GET', `https://${HOST}${full}`, '', timestamp), 'x-hubspot-request-timestamp': timestamp, 'x-forwarded-proto': 'https', 'x-forwarded-host': HOST } };
  };
}

function once(agent: http.Agent, port: number, call: Call): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: call.path, headers: call.headers, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ ms: performance.now() - start, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `clients` loops, each sending its next request as soon as the previous answer arrives, until `total` are done. */
async function load(agent: http.Agent, port: number, calls: readonly Request[], total: number, clients: number): Promise<{ times: number[]; errors: number; seconds: number }> {
  const times: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const call = calls[next++ % calls.length]!();
        const { ms, status } = await once(agent, port, call);
        if (status !== 200) errors++;
        times.push(ms);
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), errors, seconds: (performance.now() - started) / 1000 };
}

function listen(app: express.Express): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    // Longer than any pause in the run: a keep-alive socket closed by the server just as the client reuses it would reset.
    server.keepAliveTimeout = 120_000;
  });
}

export const bench: BenchDefinition = {
  name: 'card-api',
  description: `card API p50/p99 at ${CLIENTS} concurrent clients on loopback vs a bare express route`,
  async run(log): Promise<BenchReport> {
    let t: TestDatabase;
    try {
      t = await createServerDatabase();
    } catch {
      t = await createEmbeddedDatabase();
    }
    const doc = generateTenant({ seed: 11, reps: REPS, deals: DEALS, year: 2026 });
    doc.tenant.id = `hs-${PORTAL}`;
    const data = parseDataset(doc);
    const tenantId = data.tenant.id;
    log(`card-api: importing ${REPS} reps, ${DEALS} deals into ${t.name}`);
    await importDataset(t.db, data, { source: 'hubspot', externalId: PORTAL, modifiedAt: '2026-01-01T00:00:00Z', actor: 'bench' });
    for (const p of generatePlans(doc, 2026)) await savePlanVersion(t.db, tenantId, p, 'bench');
    const now = new Date('2026-11-20T12:00:00Z');
    const asOf = now.toISOString().slice(0, 10);
    log('card-api: statement run');
    await recompute(t.db, { tenantId, asOf: asOf as never, trigger: 'bench' });

    // The clock is fixed so the data's year is "now"; signatures are checked against the same clock.
    const offset = now.getTime() - Date.now();
    const config = loadConfig({ SESSION_SECRET: 'bench-session-secret-0123456789-abcdefgh', HUBSPOT_CLIENT_SECRET: SECRET, CARD_API_TRUST_PROXY: 'true' });
    const enqueue = (async () => ({ jobId: 'bench' })) as Enqueue;
    const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') });
    const app = createApp({ db: t.db, enqueue, cipher, config, logger: pino({ level: 'warn' }), clock: () => new Date(Date.now() + offset) });
    const bare = express();
    bare.get('/bare', (_req, res) => {
      res.json({ ok: true });
    });
    const [cardServer, bareServer] = await Promise.all([listen(app), listen(bare)]);
    const cardPort = (cardServer.address() as AddressInfo).port;
    const barePort = (bareServer.address() as AddressInfo).port;

    // Requests as HubSpot sends them, signed by the same (shifted) clock the app checks against.
    const sign = (path: string, email: string): Request => signed(path, email, () => Date.now() + offset);
    const managers = new Set(data.managers.map((m) => m.managerId).filter((m): m is NonNullable<typeof m> => m !== null));
    const reps = data.users.filter((u) => u.email && !managers.has(u.id));
    const managerUsers = data.users.filter((u) => u.email && managers.has(u.id));
    const calls: Request[] = [];
    for (const rep of reps) {
      calls.push(sign('/api/cards/v1/rep', rep.email!));
      const deal = data.deals.find((d) => d.ownerId === rep.id && d.closeDate >= '2026-10-01');
      if (deal) calls.push(sign(`/api/cards/v1/deals/${encodeURIComponent(deal.id)}`, rep.email!));
    }
    for (const m of managerUsers) calls.push(sign('/api/cards/v1/manager', m.email!));
    // Interleave kinds (a fixed shuffle) so every client sees a mix.
    for (let i = calls.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [calls[i], calls[j]] = [calls[j]!, calls[i]!];
    }

    log(`card-api: warming ${calls.length} distinct cards`);
    const coldStart = performance.now();
    const progress = setInterval(() => log('card-api: still warming'), 30_000);
    const coldAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const cold = await load(coldAgent, cardPort, calls, calls.length, 8).finally(() => clearInterval(progress));
    coldAgent.destroy();
    const coldSeconds = (performance.now() - coldStart) / 1000;
    if (cold.errors > 0) throw new Error(`${cold.errors} of ${calls.length} warm-up card requests failed`);

    // One keep-alive pool per server, its connections opened before measuring; then alternating
    // rounds, so load from elsewhere on the machine falls on both measurements alike.
    const bareCalls: Request[] = [() => ({ path: '/bare', headers: {} })];
    const bareAgent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const cardAgent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    await load(bareAgent, barePort, bareCalls, 2_000, CLIENTS);
    await load(cardAgent, cardPort, calls, 2_000, CLIENTS);
    const rounds = 5;
    const bareTimes: number[] = [];
    const cardTimes: number[] = [];
    let bareSeconds = 0;
    let cardSeconds = 0;
    for (let round = 1; round <= rounds; round++) {
      log(`card-api: round ${round}/${rounds}: bare route then cards, ${REQUESTS / rounds} requests each, ${CLIENTS} clients`);
      // Signed at the start of the round (a round lasts seconds; signatures live five minutes): signing is HubSpot's work, not the server's, and would otherwise load this process's client side only for cards.
      const roundCalls: Request[] = calls.map((sign) => {
        const call = sign();
        return () => call;
      });
      const b = await load(bareAgent, barePort, bareCalls, REQUESTS / rounds, CLIENTS);
      const c = await load(cardAgent, cardPort, roundCalls, REQUESTS / rounds, CLIENTS);
      if (c.errors > 0) throw new Error(`${c.errors} card requests failed`);
      bareTimes.push(...b.times);
      cardTimes.push(...c.times);
      bareSeconds += b.seconds;
      cardSeconds += c.seconds;
    }
    bareAgent.destroy();
    cardAgent.destroy();
    const bareRun = { times: bareTimes.sort((a, b) => a - b), seconds: bareSeconds };
    const cardRun = { times: cardTimes.sort((a, b) => a - b), seconds: cardSeconds };

    await new Promise((r) => cardServer.close(r));
    await new Promise((r) => bareServer.close(r));
    await t.drop();

    const cardP99 = percentile(cardRun.times, 99);
    const bareP99 = percentile(bareRun.times, 99);
    const ratio = cardP99 / bareP99;
    return {
      name: 'card-api',
      params: { clients: CLIENTS, requests: REQUESTS, reps: REPS, deals: DEALS, distinctCards: calls.length, database: t.name },
      metrics: [
        { name: 'card p50', value: percentile(cardRun.times, 50), unit: 'ms' },
        { name: 'card p99', value: cardP99, unit: 'ms' },
        { name: 'card throughput', value: REQUESTS / cardRun.seconds, unit: 'req/s' },
        { name: 'bare route p50', value: percentile(bareRun.times, 50), unit: 'ms' },
        { name: 'bare route p99', value: bareP99, unit: 'ms' },
        { name: 'bare throughput', value: REQUESTS / bareRun.seconds, unit: 'req/s' },
        { name: 'ratio p99 card / bare', value: ratio, unit: '×' },
        { name: 'cold: all cards once after a statement run', value: coldSeconds * 1000, unit: 'ms' },
        { name: 'cold card p50', value: percentile(cold.times, 50), unit: 'ms' },
        { name: 'cold card p99', value: percentile(cold.times, 99), unit: 'ms' },
      ],
      targets: [{ name: 'card p99 vs bare express route', target: `≤ ${TARGET_RATIO}×`, actual: `${ratio.toFixed(2)}× (${cardP99.toFixed(1)} vs ${bareP99.toFixed(1)} ms)`, met: ratio <= TARGET_RATIO, gap: ratio <= TARGET_RATIO ? undefined : `${(ratio - TARGET_RATIO).toFixed(2)}× over` }],
      notes: [
        'Client and servers share the process and its two cores, so absolute numbers include the load generator; the ratio compares like with like.',
        'Warm: each distinct card was computed once after the statement run (cold numbers above); the cache re-checks the latest run every CARD_CACHE_CHECK_MS (1 s).',
      ],
    };
  },
};
