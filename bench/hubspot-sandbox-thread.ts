import { Worker } from 'node:worker_threads';
import type { TenantOptions } from '../shared/src/synthetic/index.js';

/**
 * The HubSpot sandbox on its own worker thread. Real HubSpot does not share our CPU: with
 * the sandbox in the bench's event loop, every 100-deal page it serialises would delay the
 * connector's own requests and database writes and be charged to the connector's
 * throughput and heap.
 *
 * The worker inherits this process's execArgv (`--import tsx` under `npm run bench`, tsx's
 * loader under `npx tsx`), which is what lets it load the TypeScript entry.
 */
export interface SandboxThreadOptions {
  /** Passed to generateTenant inside the worker: the same deterministic portal as seeding here. */
  readonly tenant: TenantOptions;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface SandboxThreadStats {
  readonly requests: number;
  readonly searchRequests: number;
  readonly rateLimited: { readonly TEN_SECONDLY_ROLLING: number; readonly SECONDLY: number };
  readonly rateLimitedTotal: number;
}

export type SandboxThreadRequest = { readonly type: 'stats' } | { readonly type: 'close' };
export type SandboxThreadMessage =
  | { readonly type: 'ready'; readonly url: string; readonly portalId: number; readonly appId: number; readonly accessToken: string; readonly refreshToken: string }
  | { readonly type: 'stats'; readonly stats: SandboxThreadStats }
  | { readonly type: 'closed' };

export interface SandboxThread {
  readonly url: string;
  readonly portalId: number;
  readonly appId: number;
  /** A token pair the sandbox issued for the whole app's scopes, as an install would. */
  readonly tokens: { readonly accessToken: string; readonly refreshToken: string };
  stats(): Promise<SandboxThreadStats>;
  close(): Promise<void>;
}

export async function startHubspotSandboxThread(options: SandboxThreadOptions): Promise<SandboxThread> {
  const worker = new Worker(new URL('./hubspot-sandbox.worker.ts', import.meta.url), { workerData: options });
  let failure: Error | undefined;
  const waiters = new Set<{ readonly type: SandboxThreadMessage['type']; resolve(m: SandboxThreadMessage): void; reject(e: Error): void }>();
  const fail = (error: Error): void => {
    failure = error;
    for (const w of waiters) w.reject(error);
    waiters.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`HubSpot sandbox thread exited (code ${code})`)));
  worker.on('message', (message: SandboxThreadMessage) => {
    for (const w of waiters) {
      if (w.type !== message.type) continue;
      waiters.delete(w);
      w.resolve(message);
      return;
    }
  });
  const next = <T extends SandboxThreadMessage['type']>(type: T): Promise<Extract<SandboxThreadMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      waiters.add({ type, resolve: resolve as (m: SandboxThreadMessage) => void, reject });
    });
  const ready = await next('ready').catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  let closed = false;
  return {
    url: ready.url,
    portalId: ready.portalId,
    appId: ready.appId,
    tokens: { accessToken: ready.accessToken, refreshToken: ready.refreshToken },
    async stats() {
      const reply = next('stats');
      worker.postMessage({ type: 'stats' } satisfies SandboxThreadRequest);
      return (await reply).stats;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!failure) {
        const done = next('closed');
        worker.postMessage({ type: 'close' } satisfies SandboxThreadRequest);
        await done.catch(() => undefined);
      }
      await worker.terminate();
    },
  };
}
