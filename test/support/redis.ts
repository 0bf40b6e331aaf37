import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FAMILIES } from '../../worker/src/queues/families.js';

const run = promisify(execFile);

/** The shared test Redis (CI starts it; see ensureRedisRunning). */
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A plain client for assertions and cleanup (fails fast instead of queueing while Redis is down). */
export function createRedis(url: string = REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined);
  return redis;
}

/** A queue prefix no other test uses, so tests can share one Redis and run in parallel. */
export function uniquePrefix(label = 'test'): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`;
}

/** Obliterates the family queues under `prefix` (BullMQ's way), then deletes any key left under it. */
export async function cleanupPrefix(prefix: string, url: string = REDIS_URL): Promise<void> {
  const redis = createRedis(url);
  try {
    for (const family of FAMILIES) {
      const queue = new Queue(family, { connection: redis, prefix });
      try {
        await queue.obliterate({ force: true });
      } finally {
        await queue.close();
      }
    }
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { timeout: 2_000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function waitForPing(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await ping(port)) !== up) {
    if (Date.now() > deadline) throw new Error(`Redis on port ${port} did not ${up ? 'start' : 'stop'} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the shared CI Redis (127.0.0.1:6379) with its CI command line if it is not answering. */
export async function ensureRedisRunning(): Promise<void> {
  if (await ping(6379)) return;
  await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log']);
  await waitForPing(6379, true);
}

export interface ScratchRedis {
  readonly port: number;
  readonly url: string;
  /** `shutdown nosave`: every key is lost, as with the CI Redis (no RDB, no AOF). */
  shutdownNoSave(): Promise<void>;
  /** Starts it again on the same port (empty). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private Redis server on a free port, for tests that restart Redis: restarting the
 * shared one would break every other suite (and other people's runs) using it. Same
 * persistence settings as CI: none.
 */
export async function startScratchRedis(): Promise<ScratchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spm-redis-'));
  const start = async () => {
    await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log'), '--pidfile', join(dir, 'redis.pid')]);
    await waitForPing(port, true);
  };
  const shutdownNoSave = async () => {
    await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    await waitForPing(port, false);
  };
  let stopped = false;
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    shutdownNoSave,
    start,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (await ping(port)) await shutdownNoSave();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
