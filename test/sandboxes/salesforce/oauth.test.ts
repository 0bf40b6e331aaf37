import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '../../../sandboxes/salesforce/index.js';
import { CLIENT_ID, CLIENT_SECRET, failure, REDIRECT_URI, startSmallSandbox } from './support.js';

let sandbox: SalesforceSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Follows the authorize redirect the way a browser would and returns the callback's query. */
async function authorizeInBrowser(url: string): Promise<URLSearchParams> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

function oauth2(sb: SalesforceSandbox, useVerifier: boolean): jsforce.OAuth2 {
  return new jsforce.OAuth2({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: sb.url, redirectUri: REDIRECT_URI, useVerifier });
}

describe('OAuth 2.0 web-server flow with PKCE', () => {
  it('exchanges the code with the verifier and gets a working session for the org', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const start = oauth2(sandbox, true);
    const params = await authorizeInBrowser(start.getAuthorizationUrl({ scope: 'api refresh_token', state: 'csrf-123' }));
    expect(params.get('state')).toBe('csrf-123');
    // The callback is served by another process: it rebuilds the client and restores the verifier.
    const callback = oauth2(sandbox, false);
    callback.codeVerifier = start.codeVerifier;
    const conn = new jsforce.Connection({ oauth2: callback, version: '64.0' });
    const userInfo = await conn.authorize(params.get('code')!);
    expect(userInfo).toEqual({ id: sandbox.integrationUserId, organizationId: sandbox.orgId, url: `${sandbox.url}/id/${sandbox.orgId}/${sandbox.integrationUserId}` });
    expect(conn.instanceUrl).toBe(sandbox.url);
    expect(conn.refreshToken).toMatch(/^5Aep861/);
    const identity = await conn.identity();
    expect(identity.organization_id).toBe(sandbox.orgId);
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(10);
    // A code is single use.
    const again = await failure(oauth2(sandbox, false).requestToken(params.get('code')!));
    expect(again.errorCode).toBe('invalid_grant');
  });

  it('refuses a wrong code verifier and an authorize request without a challenge', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const start = oauth2(sandbox, true);
    const params = await authorizeInBrowser(start.getAuthorizationUrl({ state: 's' }));
    const other = oauth2(sandbox, true); // a different, random verifier
    const err = await failure(other.requestToken(params.get('code')!));
    expect(err.errorCode).toBe('invalid_grant');
    expect(err.message).toContain('invalid code verifier');
    const noPkce = await authorizeInBrowser(oauth2(sandbox, false).getAuthorizationUrl({ state: 's2' }));
    expect(noPkce.get('error')).toBe('invalid_request');
    expect(noPkce.get('code')).toBeNull();
    const badClient = await fetch(`${sandbox.url}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`, { redirect: 'manual' });
    expect(badClient.status).toBe(400);
    expect(await badClient.json()).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
  });

  it('refreshes an expired session on 401 and, with rotation, hands out a new refresh token once', async () => {
    sandbox = await startSmallSandbox({ rotateRefreshTokens: true }, 10);
    const session = sandbox.issueSession();
    const conn = new jsforce.Connection({
      instanceUrl: sandbox.url, accessToken: session.accessToken, refreshToken: session.refreshToken, version: '64.0',
      oauth2: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: sandbox.url, redirectUri: REDIRECT_URI },
    });
    const refreshed: { accessToken: string; refreshToken: string | undefined }[] = [];
    conn.on('refresh', (accessToken: string, res: { refresh_token?: string }) => refreshed.push({ accessToken, refreshToken: res.refresh_token }));
    sandbox.faults.expireSessions();
    // jsforce sees 401 INVALID_SESSION_ID, refreshes, retries: the caller only sees the result.
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(10);
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.accessToken).not.toBe(session.accessToken);
    expect(refreshed[0]!.refreshToken).toMatch(/^5Aep861/);
    expect(refreshed[0]!.refreshToken).not.toBe(session.refreshToken);
    // jsforce's default refresh keeps the *old* refresh token on the connection — the rotated
    // one must be captured from the 'refresh' event, or the next refresh fails:
    expect(conn.refreshToken).toBe(session.refreshToken);
    const stale = await failure(conn.oauth2.refreshToken(session.refreshToken));
    expect(stale).toEqual({ errorCode: 'invalid_grant', message: 'expired access/refresh token' });
    const fresh = await conn.oauth2.refreshToken(refreshed[0]!.refreshToken!);
    expect(fresh.access_token).toBeTruthy();
  });

  it('without rotation the refresh response carries no refresh_token', async () => {
    sandbox = await startSmallSandbox({}, 10);
    const session = sandbox.issueSession();
    const res = await oauth2(sandbox, false).refreshToken(session.refreshToken);
    expect(res.refresh_token).toBeUndefined();
    expect(Object.keys(res).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    // A revoked refresh token is dead, and so are the access tokens issued from it.
    await oauth2(sandbox, false).revokeToken(session.refreshToken);
    expect((await failure(oauth2(sandbox, false).refreshToken(session.refreshToken))).errorCode).toBe('invalid_grant');
  });

  it('an expired access token without a refresh token fails with 401 INVALID_SESSION_ID', async () => {
    let clock = Date.parse('2026-03-01T09:00:00Z');
    sandbox = await startSmallSandbox({ tokenTtlSeconds: 3600, now: () => clock }, 10);
    const conn = new jsforce.Connection({ instanceUrl: sandbox.url, accessToken: sandbox.issueSession().accessToken, version: '64.0' });
    clock += 3599_000;
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBeGreaterThan(0);
    clock += 1_000; // exactly one hour after issue
    const err = await failure(conn.query('SELECT COUNT() FROM User'));
    expect(err.errorCode).toBe('INVALID_SESSION_ID');
    expect(err.message).toBe('Session expired or invalid');
  });
});
