import { hubspot } from '@hubspot/ui-extensions';
import { vi } from 'vitest';

/** One request a card made through hubspot.fetch. */
export interface FetchCall {
  readonly url: string;
  readonly method: string;
  readonly body: Record<string, unknown> | undefined;
}

export type Reply = { readonly status: number; readonly body: unknown } | 'network-down';
type Route = Reply | Promise<Reply> | ((call: FetchCall) => Reply | Promise<Reply>);

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const apiError = (status: number, code: string, message: string, extra: { fix?: string; requestId?: string } = {}): Reply => ({
  status,
  body: { error: { code, message, ...extra } },
});

/** A reply the test releases when it wants, to observe the loading state. */
export function heldReply(): { promise: Promise<Reply>; release: (reply: Reply) => void } {
  let release!: (reply: Reply) => void;
  const promise = new Promise<Reply>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/**
 * Replaces hubspot.fetch (the only way a card reaches the backend) with canned replies keyed by
 * "METHOD /path?query". A request nobody stubbed answers 404 in the backend's error shape, so
 * a card calling the wrong URL shows up as a visible failure in the test.
 */
export function stubHubspotFetch(routes: Record<string, Route>): { calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  vi.spyOn(hubspot, 'fetch').mockImplementation(async (url, options) => {
    const call: FetchCall = { url: String(url), method: options?.method ?? 'GET', body: options?.body };
    calls.push(call);
    const parsed = new URL(call.url);
    const key = `${call.method} ${parsed.pathname}${parsed.search}`;
    const route = routes[key];
    const reply: Reply =
      route === undefined
        ? { status: 404, body: { error: { code: 'not_found', message: `test stub: nothing answers ${key}` } } }
        : typeof route === 'function'
          ? await route(call)
          : await route;
    if (reply === 'network-down') throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'content-type': 'application/json' } });
  });
  return { calls };
}
