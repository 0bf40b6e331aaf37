import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@hubspot/api-client';
import type { HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { apiError, clientFor, startSmall } from './fixture.js';

let sandbox: HubspotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('enforced rate limits', () => {
  it('answers a burst past the rolling limit with 429 TEN_SECONDLY_ROLLING and counts it', async () => {
    // 4 requests per window (a minute here, so a slow machine cannot spread the burst out): of 6 sent at once, 4 pass and 2 are refused.
    sandbox = await startSmall({ rateLimits: { general: { max: 4, intervalMs: 60_000 }, search: { max: 100, intervalMs: 1_000 } } });
    const client = clientFor(sandbox);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => client.crm.deals.basicApi.getPage(1)));
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as { code: number; body: Record<string, unknown>; headers: Record<string, string> });
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.code).toBe(429);
    expect(refused[0]!.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' });
    expect(refused[0]!.headers).toMatchObject({ 'x-hubspot-ratelimit-max': '4', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '60000' });
    expect(sandbox.stats.rateLimited).toEqual({ TEN_SECONDLY_ROLLING: 2, SECONDLY: 0 });
  });

  it('limits search in its own bucket (HubSpot: 5 per second), without rate-limit headers', async () => {
    // 5 searches per window; the window is a minute so that 7 parallel searches always overflow it by 2.
    sandbox = await startSmall({ rateLimits: { general: { max: 1000, intervalMs: 10_000 }, search: { max: 5, intervalMs: 60_000 } } });
    const client = clientFor(sandbox);
    const search = () => client.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    const outcomes = await Promise.allSettled(Array.from({ length: 7 }, search));
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as { code: number; body: Record<string, unknown>; headers: Record<string, string> });
    expect(refused).toHaveLength(2);
    expect(refused[0]!.body).toMatchObject({ policyName: 'SECONDLY', message: 'You have reached your secondly limit.' });
    expect(refused[0]!.headers['x-hubspot-ratelimit-max']).toBeUndefined();
    // The general bucket is untouched by search: a list call still passes.
    await expect(client.crm.deals.basicApi.getPage(1)).resolves.toBeDefined();
    expect(sandbox.stats.rateLimited).toEqual({ TEN_SECONDLY_ROLLING: 0, SECONDLY: 2 });
  });
});

describe('fault injection', () => {
  it('fails the next N matching requests; the SDK retries 5xx and gets through', async () => {
    sandbox = await startSmall();
    const tokens = sandbox.oauth.issueTokens();
    sandbox.injectFaults({ status: 503, count: 2, path: '/crm/v3/objects/deals' });
    // numberOfApiCallRetries is the number of attempts: 3 attempts outlast 2 failures.
    const client = new Client({ accessToken: tokens.access_token, basePath: sandbox.url, numberOfApiCallRetries: 3 });
    const page = await client.crm.deals.basicApi.getPage(1);
    expect(page.results).toHaveLength(1);
    expect(sandbox.stats.injectedFaults).toBe(2);
    // Other paths were never affected, and the storm is over.
    expect((await client.crm.owners.ownersApi.getPage()).results.length).toBeGreaterThan(0);
  });

  it('injects 429 storms with a chosen policy and HTML gateway errors', async () => {
    sandbox = await startSmall();
    const client = clientFor(sandbox);
    sandbox.injectFaults({ status: 429, count: 1, policyName: 'DAILY' });
    const daily = await apiError(client.crm.deals.basicApi.getPage(1));
    expect(daily.code).toBe(429);
    expect(daily.body).toMatchObject({ policyName: 'DAILY' });
    sandbox.injectFaults({ status: 502, count: 1, html: true });
    const response = await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/deals' });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
    // Injected 429s are not the enforced limits: those counters stay at zero.
    expect(sandbox.stats.rateLimitedTotal).toBe(0);
  });
});

describe('the /__sandbox control API', () => {
  it('injects faults, reports stats and maps ids over HTTP', async () => {
    sandbox = await startSmall();
    const client = clientFor(sandbox);
    const post = (path: string, body?: unknown) => fetch(`${sandbox!.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect((await post('/__sandbox/faults', { status: 500, count: 1 })).status).toBe(204);
    expect((await apiError(client.crm.deals.basicApi.getPage(1))).code).toBe(500);
    await client.crm.deals.basicApi.getPage(1);
    const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { requests: number; injectedFaults: number; byStatus: Record<string, number> };
    // Two API requests: the injected 500 and a 200.
    expect(stats).toMatchObject({ requests: 2, injectedFaults: 1, byStatus: { '200': 1, '500': 1 } });
    const mapped = (await (await fetch(`${sandbox.url}/__sandbox/id-map/deal?canonical=d3`)).json()) as { external: string };
    expect(mapped.external).toBe(sandbox.idMap.toExternal('deal', 'd3'));
    expect((await post('/__sandbox/tokens/expire')).status).toBe(204);
    expect((await apiError(client.crm.deals.basicApi.getPage(1))).code).toBe(401);
  });
});
