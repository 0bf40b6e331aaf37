import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@hubspot/api-client';
import type { HubspotSandbox } from '../../../sandboxes/hubspot/index.js';
import { apiError, CLIENT_ID, CLIENT_SECRET, startSmall } from './fixture.js';

const REDIRECT = 'http://localhost:3000/oauth-callback';
let sandbox: HubspotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Follows the install page like a browser would, returning the redirect target. */
async function install(s: HubspotSandbox, scope: string, state = 'xyz'): Promise<Response> {
  const url = new URL('/oauth/authorize', s.url);
  url.search = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope, state }).toString();
  return fetch(url, { redirect: 'manual' });
}

describe('OAuth install, exchange, refresh, expiry and uninstall', () => {
  it('redirects with a code and the state, exchanges it once, and the token works on the CRM', async () => {
    sandbox = await startSmall({ redirectUris: [REDIRECT] });
    const redirect = await install(sandbox, 'oauth crm.objects.deals.read crm.objects.owners.read');
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code')!;

    const anonymous = new Client({ basePath: sandbox.url });
    const tokens = await anonymous.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET);
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.tokenType).toBe('bearer');
    const info = await anonymous.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info.hubId).toBe(sandbox.portalId);
    expect(info.scopes).toEqual(['oauth', 'crm.objects.deals.read', 'crm.objects.owners.read']);

    const client = new Client({ accessToken: tokens.accessToken, basePath: sandbox.url });
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
    // The code is single-use.
    const again = await apiError(anonymous.oauth.tokensApi.create('authorization_code', code, REDIRECT, CLIENT_ID, CLIENT_SECRET));
    expect(again.code).toBe(400);
    expect(again.body).toMatchObject({ status: 'BAD_AUTH_CODE' });
  });

  it('refuses unknown scopes and unregistered redirect URIs at install', async () => {
    sandbox = await startSmall({ redirectUris: [REDIRECT] });
    expect((await install(sandbox, 'oauth crm.objects.everything.read')).status).toBe(400);
    const url = new URL('/oauth/authorize', sandbox.url);
    url.search = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: 'https://evil.example/cb', scope: 'oauth' }).toString();
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(400);
  });

  it('expires access tokens with a 401 EXPIRED_AUTHENTICATION; the refresh token keeps working until revoked', async () => {
    sandbox = await startSmall();
    const issued = sandbox.oauth.issueTokens(['oauth', 'crm.objects.deals.read']);
    const anonymous = new Client({ basePath: sandbox.url });
    const stale = new Client({ accessToken: issued.access_token, basePath: sandbox.url });
    sandbox.oauth.expireAccessTokens();
    const expired = await apiError(stale.crm.deals.basicApi.getPage(1));
    expect(expired.code).toBe(401);
    expect(expired.body).toMatchObject({ category: 'EXPIRED_AUTHENTICATION' });

    const refreshed = await anonymous.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, issued.refresh_token);
    const fresh = new Client({ accessToken: refreshed.accessToken, basePath: sandbox.url });
    expect((await fresh.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
    // Refresh tokens are reusable.
    await expect(anonymous.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, issued.refresh_token)).resolves.toBeDefined();

    await anonymous.oauth.refreshTokensApi.archive(issued.refresh_token);
    const revoked = await apiError(anonymous.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, issued.refresh_token));
    expect(revoked.code).toBe(400);
    expect(revoked.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN' });
  });

  it('honours a short configured token lifetime', async () => {
    sandbox = await startSmall({ tokenTtlSeconds: 0 });
    const issued = sandbox.oauth.issueTokens();
    expect(issued.expires_in).toBe(0);
    const client = new Client({ accessToken: issued.access_token, basePath: sandbox.url });
    expect((await apiError(client.crm.deals.basicApi.getPage(1))).code).toBe(401);
  });

  it('after uninstall, access and refresh tokens stop working at once', async () => {
    sandbox = await startSmall();
    const issued = sandbox.oauth.issueTokens();
    const client = new Client({ accessToken: issued.access_token, basePath: sandbox.url });
    sandbox.oauth.uninstall();
    const denied = await apiError(client.crm.deals.basicApi.getPage(1));
    expect(denied.code).toBe(401);
    expect(denied.body).toMatchObject({ category: 'INVALID_AUTHENTICATION' });
    const refresh = await apiError(new Client({ basePath: sandbox.url }).oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT_ID, CLIENT_SECRET, issued.refresh_token));
    expect(refresh.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN' });
  });
});
