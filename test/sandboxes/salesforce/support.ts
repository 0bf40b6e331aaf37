import jsforce from 'jsforce';
import { seedOrgFromSynthetic, startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from '../../../sandboxes/salesforce/index.js';

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret';
export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/salesforce/callback';

/** A small synthetic org (2025 so every timestamp is in the past) behind a running sandbox. */
export async function startSmallSandbox(overrides: Partial<SalesforceSandboxOptions> = {}, deals = 450): Promise<SalesforceSandbox> {
  const seeded = seedOrgFromSynthetic({ seed: 11, reps: 8, deals, year: 2025, activitiesPerDeal: 1 });
  return startSalesforceSandbox({ org: seeded, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...overrides });
}

/** A jsforce connection holding a ready session, as a worker would after OAuth. */
export function connect(sandbox: SalesforceSandbox, withRefresh = false): jsforce.Connection {
  const session = sandbox.issueSession();
  return new jsforce.Connection({
    instanceUrl: sandbox.url,
    accessToken: session.accessToken,
    version: '64.0',
    ...(withRefresh ? { refreshToken: session.refreshToken, oauth2: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: sandbox.url, redirectUri: REDIRECT_URI } } : {}),
  });
}

/** The jsforce error fields a connector branches on. */
export async function failure(promise: PromiseLike<unknown>): Promise<{ errorCode: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { errorCode?: string; name?: string; message: string };
    return { errorCode: e.errorCode ?? e.name ?? '', message: e.message };
  }
  throw new Error('expected the call to fail');
}
