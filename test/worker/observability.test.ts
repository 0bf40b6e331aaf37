import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startObservabilityServer, type ObservabilityServer } from '../../worker/src/observability/http-server.js';
import { REDACTED, createLogger } from '../../worker/src/observability/logger.js';
import { createWorkerMetrics } from '../../worker/src/observability/metrics.js';
import { createJobRunner } from '../../worker/src/runtime/job-runner.js';
import type { InProcessJobRunner } from '../../worker/src/runtime/in-process-runner.js';
import type { Db } from '../../worker/src/db/database.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix } from '../support/redis.js';
import { recompute, silentLogger } from './support/harness.js';

function memoryLogger() {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination: stream }), text: () => out };
}

describe('logger', () => {
  it('redacts tokens, secrets and personal data at any depth we log', () => {
    const { logger, text } = memoryLogger();
    logger.info(
      {
        accessToken: 'at-top',
        tenant: { connection: { accessToken: 'at-deep', refreshToken: 'rt-deep' }, password: 'pw' },
        user: { id: 'u1', email: 'ana@example.com', phone: '+1 555' },
        headers: { authorization: 'Bearer hdr' },
        request: { headers: { authorization: 'Bearer nested', cookie: 'sid=1' } },
        oauth: { access_token: 'snake', refresh_token: 'snake-r', client_secret: 'cs' },
        webhook: { token: 'tok' },
      },
      'calling the CRM',
    );
    const line = text();
    for (const secret of ['at-top', 'at-deep', 'rt-deep', '"pw"', 'ana@example.com', '+1 555', 'Bearer hdr', 'Bearer nested', 'sid=1', 'snake', 'cs"', 'tok"']) expect(line).not.toContain(secret);
    const parsed = JSON.parse(line) as { user: { id: string; email: string }; tenant: { connection: { accessToken: string } } };
    expect(parsed.user).toEqual({ id: 'u1', email: REDACTED, phone: REDACTED });
    expect(parsed.tenant.connection.accessToken).toBe(REDACTED);
  });
});

describe('metrics and the HTTP endpoints', () => {
  let server: ObservabilityServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server?.port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('serves /metrics (queue depth read at scrape time, job and recompute latency, ledger writes) and /healthz', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    let healthy = true;
    metrics.setQueueCountsSource(async () => ({ compute: { waiting: 3, active: 1 }, 'crm-sync': { delayed: 2 } }));
    metrics.jobDuration.observe({ queue: 'compute', job: 'recompute-payees', outcome: 'completed' }, 0.2);
    metrics.recomputeDuration.observe({ trigger: 'webhook' }, 1.5);
    metrics.ledgerWrites.inc({ kind: 'commission' }, 4);
    server = await startObservabilityServer({ port: 0, host: '127.0.0.1', metrics, health: async () => ({ ok: healthy, redis: healthy ? 'ready' : 'reconnecting' }) });

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toContain('text/plain');
    expect(m.body).toContain('spm_queue_jobs{queue="compute",state="waiting"} 3');
    expect(m.body).toContain('spm_queue_jobs{queue="crm-sync",state="delayed"} 2');
    expect(m.body).toContain('spm_job_duration_seconds_count{queue="compute",job="recompute-payees",outcome="completed"} 1');
    expect(m.body).toContain('spm_recompute_duration_seconds_sum{trigger="webhook"} 1.5');
    expect(m.body).toContain('spm_ledger_writes_total{kind="commission"} 4');

    expect(await get('/healthz')).toMatchObject({ status: 200, body: expect.stringContaining('"ok":true') });
    healthy = false;
    expect(await get('/healthz')).toMatchObject({ status: 503, body: expect.stringContaining('"redis":"reconnecting"') });
    expect((await get('/nope')).status).toBe(404);
  });

  it('a scrape does not fail when the queue counts cannot be read (Redis down)', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false, queueCountsTimeoutMs: 200 });
    metrics.setQueueCountsSource(() => new Promise(() => undefined));
    server = await startObservabilityServer({ port: 0, host: '127.0.0.1', metrics, health: async () => ({ ok: true }) });
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.body).not.toContain('spm_queue_jobs{');
  });

  it('reads queue depth from BullMQ and records each job attempt in the latency histogram', async () => {
    const prefix = uniquePrefix('metrics');
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const deps = { db: {} as Db, clock: { now: () => new Date() }, metrics };
    const bull = createJobRunner({ redisUrl: REDIS_URL, deps, logger: silentLogger(), bullmq: { prefix } });
    try {
      await bull.enqueue('compute', 'recompute-payees', recompute('m1', ['a']));
      await bull.enqueue('compute', 'recompute-payees', recompute('m2', ['b']));
      metrics.setQueueCountsSource(() => bull.counts());
      const text = await metrics.registry.getSingleMetricAsString('spm_queue_jobs');
      expect(text).toContain('spm_queue_jobs{queue="compute",state="waiting"} 2');
      expect(text).toContain('spm_queue_jobs{queue="crm-sync",state="waiting"} 0');
    } finally {
      await bull.close();
      await cleanupPrefix(prefix);
    }

    const inProcess = createJobRunner({ deps, logger: silentLogger() }) as InProcessJobRunner;
    await inProcess.start({ compute: { 'recompute-payees': async () => 'ok' } });
    await inProcess.enqueue('compute', 'recompute-payees', recompute('m3'));
    await inProcess.whenIdle();
    await inProcess.close();
    expect(await metrics.registry.getSingleMetricAsString('spm_job_duration_seconds')).toContain('spm_job_duration_seconds_count{queue="compute",job="recompute-payees",outcome="completed"} 1');
  });
});
