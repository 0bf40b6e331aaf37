import jsforce from 'jsforce';
import type { Logger } from 'pino';
import { issueState, consumeState } from '../core/oauth-states.js';
import { recordInstall } from '../core/tenant-connections.js';
import { firstSyncCause } from '../core/crm-connector.js';
import type { Db } from '../../worker/src/db/database.js';
import type { Enqueue } from '../../worker/src/queues/handler-registry.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { isAllowedLoginUrl, type SalesforceConfig } from './config.js';
import { ApiMeter, meterTransport, oauth2For, tokenExpiry } from './session.js';
import { SALESFORCE_OBJECTS } from './streams.js';

export interface InstallDeps {
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly enqueue?: Enqueue | undefined;
  readonly logger?: Logger | undefined;
}

export class InstallError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'InstallError';
  }
}

/** Object streams, in dependency order (a pure module, so the admin API can name them without jsforce). */
export { SALESFORCE_OBJECTS } from './streams.js';

/** `api` for REST/Bulk/Streaming, `refresh_token` so the worker can keep syncing without the admin. */
const SCOPES = 'api refresh_token';

/**
 * Step 1 of the web-server flow with PKCE: a fresh verifier (kept encrypted with the
 * state until the callback, since the flow spans two HTTP requests and maybe two
 * processes) and the authorize URL on the login host the admin chose.
 */
export async function beginInstall(config: SalesforceConfig, deps: InstallDeps, options: { loginUrl?: string | undefined; returnTo?: string | undefined } = {}): Promise<string> {
  const loginUrl = (options.loginUrl ?? config.loginUrl).replace(/\/+$/, '');
  if (!isAllowedLoginUrl(loginUrl, config)) throw new InstallError(`"${loginUrl}" is not a Salesforce login host; use https://login.salesforce.com, https://test.salesforce.com (sandboxes) or your My Domain (https://<name>.my.salesforce.com)`);
  const oauth2 = new jsforce.OAuth2({ clientId: config.clientId, redirectUri: config.redirectUri, loginUrl, useVerifier: true });
  const state = await issueState(deps.db, deps.cipher, { source: 'salesforce', codeVerifier: oauth2.codeVerifier ?? undefined, loginUrl, returnTo: options.returnTo });
  return oauth2.getAuthorizationUrl({ scope: SCOPES, state, prompt: 'login consent', code_challenge_method: 'S256' });
}

/** The organization id from the identity URL `https://<login>/id/<orgId>/<userId>`. */
export function parseIdentityUrl(id: string): { orgId: string; userId: string } {
  const m = /\/id\/([0-9A-Za-z]{15,18})\/([0-9A-Za-z]{15,18})\/?$/.exec(id);
  if (!m) throw new InstallError(`Salesforce returned an unexpected identity URL "${id}"`, 502);
  return { orgId: m[1]!, userId: m[2]! };
}

/**
 * Step 2: exchange the code (with the verifier), read the org's name, currency and fiscal
 * year, store the encrypted tokens and the instance/login URLs, and schedule the first sync.
 */
export async function completeInstall(config: SalesforceConfig, deps: InstallDeps, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined; error_description?: string | undefined }): Promise<{ tenantId: string; returnTo: string | undefined; installedBy: string }> {
  const pending = await consumeState(deps.db, deps.cipher, 'salesforce', query.state);
  if (query.error) throw new InstallError(`Salesforce did not authorise the app (${query.error}${query.error_description ? `: ${query.error_description}` : ''}); an admin with "Approve Uninstalled Connected Apps" or an installed External Client App must approve it, then start again`, 403);
  if (!query.code) throw new InstallError('The callback has no authorisation code; start the install again from the admin console');
  const loginUrl = pending.loginUrl ?? config.loginUrl;
  const oauth2 = oauth2For(config, loginUrl);
  if (pending.codeVerifier) oauth2.codeVerifier = pending.codeVerifier;
  let res: Awaited<ReturnType<typeof oauth2.requestToken>>;
  try {
    res = await oauth2.requestToken(query.code);
  } catch (err) {
    throw new InstallError(`Salesforce refused the authorisation code (${(err as Error).name}: ${(err as Error).message}); start the install again`, 400);
  }
  if (!res.refresh_token) throw new InstallError('Salesforce returned no refresh token: add the "Perform requests at any time (refresh_token, offline_access)" scope to the External Client App and install again', 400);
  const { orgId, userId } = parseIdentityUrl(res.id);
  const conn = new jsforce.Connection({ version: config.apiVersion, instanceUrl: res.instance_url, accessToken: res.access_token });
  meterTransport(conn, new ApiMeter());
  const org = (await conn.request<{ records: Array<{ Name?: string; FiscalYearStartMonth?: number }> }>(`/query?q=${encodeURIComponent('SELECT Id, Name, FiscalYearStartMonth FROM Organization')}`)).records[0];
  const homeCurrency = await corporateCurrency(conn, userId);
  const tenantId = await recordInstall(deps.db, deps.cipher, {
    source: 'salesforce',
    externalId: orgId,
    name: org?.Name ?? orgId,
    homeCurrency,
    fiscalYearStartMonth: org?.FiscalYearStartMonth ?? 1,
    tokens: { accessToken: res.access_token, refreshToken: res.refresh_token, expiresAt: tokenExpiry(res as { issued_at?: string }), scopes: (res.scope ?? SCOPES).split(' ') },
    settings: { instanceUrl: res.instance_url, loginUrl, installedBy: userId },
  });
  deps.logger?.info({ tenantId, orgId }, 'salesforce org connected');
  if (deps.enqueue) {
    // The first stream; each one queues the next when it is done (crmSyncHandlers).
    await deps.enqueue('crm-sync', 'sync-object', { tenantId, source: 'salesforce', object: SALESFORCE_OBJECTS[0], mode: 'incremental', cause: firstSyncCause(new Date()) });
  }
  return { tenantId, returnTo: pending.returnTo, installedBy: userId };
}

/** Multi-currency orgs name their corporate currency in CurrencyType; single-currency orgs only on users. */
async function corporateCurrency(conn: InstanceType<typeof jsforce.Connection>, userId: string): Promise<string> {
  try {
    const rows = (await conn.request<{ records: Array<{ IsoCode: string }> }>(`/query?q=${encodeURIComponent('SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true')}`)).records;
    if (rows[0]) return rows[0].IsoCode;
  } catch {
    // single-currency org: no CurrencyType
  }
  try {
    const rows = (await conn.request<{ records: Array<{ DefaultCurrencyIsoCode?: string }> }>(`/query?q=${encodeURIComponent(`SELECT DefaultCurrencyIsoCode FROM User WHERE Id = '${userId}'`)}`)).records;
    if (rows[0]?.DefaultCurrencyIsoCode) return rows[0].DefaultCurrencyIsoCode;
  } catch {
    // field absent
  }
  return 'USD';
}
