import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STARTED } from '../../app/runtime.js';
import { WorkerEnvError, parseWorkerEnv } from '../../worker/src/env.js';
import { IN_PROCESS_NOTICE } from '../../worker/src/runtime/job-runner.js';
import { CLI_ENTRY, spawnWorker } from './support/child.js';

/** A port free right now (the API's PORT must be 1 or more, so 0 cannot be used). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('worker environment', () => {
  it('has defaults for everything but the optional URLs', () => {
    expect(parseWorkerEnv({})).toEqual({ METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 30_000, QUEUE_PREFIX: 'spm' });
    expect(parseWorkerEnv({ REDIS_URL: 'redis://:pw@cache:6380/2', WORKER_CONCURRENCY: ' 8 ', METRICS_PORT: '0', DATABASE_URL: '' })).toMatchObject({ REDIS_URL: 'redis://:pw@cache:6380/2', WORKER_CONCURRENCY: 8, METRICS_PORT: 0 });
    expect(parseWorkerEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it('names every malformed variable, and never echoes a URL (it may hold a password)', () => {
    let error: unknown;
    try {
      parseWorkerEnv({ REDIS_URL: 'http://user:hunter2@cache', WORKER_CONCURRENCY: 'lots', METRICS_PORT: '70000', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkerEnvError);
    const message = (error as Error).message;
    expect(message).toContain('REDIS_URL must be a Redis URL (redis:// or rediss://)');
    expect(message).toContain('DATABASE_URL must be a PostgreSQL URL');
    expect(message).toContain('WORKER_CONCURRENCY must be a whole number from 1 to 256 (got "lots")');
    expect(message).toContain('METRICS_PORT must be a whole number from 0 to 65535 (got "70000")');
    expect(message).toContain('LOG_LEVEL must be one of');
    expect(message).not.toContain('hunter2');
  });

  it('`spm worker` exits 2 with the variable named when the environment is malformed', async () => {
    const child = spawnWorker({ WORKER_CONCURRENCY: 'abc', REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://127.0.0.1/test' }, CLI_ENTRY, ['worker']);
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toContain('WORKER_CONCURRENCY must be a whole number from 1 to 256 (got "abc")');
  });

  it('embedded mode (`spm start` configured, no REDIS_URL, no DATABASE_URL): one notice line, serves /healthz and /metrics, exits 0 on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spm-embedded-'));
    const env = { REDIS_URL: '', DATABASE_URL: '', SPM_DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(40), HOST: '127.0.0.1', PORT: String(await freePort()), METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    const child = spawnWorker(env, CLI_ENTRY, ['start']);
    try {
      await child.ready();
      const logs = child.logs();
      expect(logs.filter((l) => String(l['msg']).includes('REDIS_URL not set'))).toEqual([expect.objectContaining({ msg: IN_PROCESS_NOTICE, level: 30 })]);
      const started = logs.find((l) => l['msg'] === STARTED);
      expect(started).toMatchObject({ role: 'all', jobs: 'in-process', database: 'embedded' });
      const port = Number(started?.['metricsPort']);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, mode: 'in-process', database: 'ok' });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('spm_queue_jobs{queue="compute",state="waiting"} 0');
      expect(metrics).toContain('spm_worker_process_cpu_seconds_total');
      child.process.kill('SIGINT');
      expect(await child.exited).toBe(0);
      expect(child.logs().map((l) => l['msg'])).toContain('shutdown complete');
    } finally {
      await child.stop(2_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
