import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/**
 * The two kinds of Redis connection BullMQ's production guide asks for:
 *
 * - Workers: `maxRetriesPerRequest: null`, so commands wait for a reconnect instead of
 *   failing (BullMQ requires it for its blocking connections, which it duplicates from this one).
 * - Producers: `enableOfflineQueue: false`, so `enqueue` fails fast while Redis is down
 *   (the caller, e.g. a webhook receiver, answers 503 and the CRM re-sends) instead of
 *   queueing commands in memory without bound.
 *
 * Both reconnect forever with ioredis's default backoff.
 */
export function createWorkerConnection(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}

export function createProducerConnection(url: string, name: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: name });
}

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|max retries per request|Stream isn't writeable|connect ETIMEDOUT|Socket closed/i;

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || CONNECTION_ERROR.test(err.message) || err.name === 'ConnectionClosedError' || err.name === 'MaxRetriesPerRequestError';
}

const LOST_JOB = /Missing (key|lock) for job (\S+?)\.? (\w+)/;
const LOST_LOCK = /could not renew lock for job (\S+)/i;

/**
 * Turns the stream of 'error' events from ioredis, queues and workers into readable logs.
 * While Redis is down every connection reports every reconnect attempt; this logs the
 * first error of an outage per source, then one line when the connection is back.
 * BullMQ errors that mean a job's outcome could not be recorded are explained, not muted.
 */
export class RedisErrorReporter {
  private readonly down = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  report(source: string, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const lost = LOST_JOB.exec(error.message);
    if (lost) {
      this.logger.error(
        { source, jobId: lost[2], operation: lost[3], err: error },
        'BullMQ could not record the outcome of a job: Redis no longer has the job or its lock (Redis restarted without persistence, the job was removed, or its lock expired). The handler has already run; this attempt is not recorded and will not be retried from here.',
      );
      return;
    }
    const lock = LOST_LOCK.exec(error.message);
    if (lock) {
      this.logger.warn({ source, jobId: lock[1], err: error }, 'lost the lock of a running job: if Redis still has the job, another worker may run it again after it is found stalled');
      return;
    }
    if (isConnectionError(error)) {
      const count = this.down.get(source) ?? 0;
      this.down.set(source, count + 1);
      if (count === 0) this.logger.error({ source, err: error }, 'Redis connection lost: reconnecting (further errors from this connection are not logged until it is back)');
      return;
    }
    this.logger.error({ source, err: error }, 'queue error');
  }

  ready(source: string): void {
    const errors = this.down.get(source);
    if (errors === undefined) return;
    this.down.delete(source);
    this.logger.info({ source, errorsWhileDown: errors }, 'Redis connection restored');
  }
}

/** `quit` when possible, `disconnect` when Redis is not there to answer (or too slow). */
export async function closeConnection(redis: Redis, timeoutMs = 2_000): Promise<void> {
  if (redis.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('quit timed out')), timeoutMs);
      }),
    ]);
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
