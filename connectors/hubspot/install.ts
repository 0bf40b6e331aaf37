import type { Logger } from 'pino';
import { issueState, consumeState } from '../core/oauth-states.js';
import { recordInstall } from '../core/tenant-connections.js';
import { firstSyncCause } from '../core/crm-connector.js';
import type { Db } from '../../worker/src/db/database.js';
import type { Enqueue } from '../../worker/src/queues/handler-registry.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { parseCurrency } from '../../shared/src/money/currency.js';
import type { HubspotConfig } from './config.js';
import { sdkClient } from './sdk-client.js';
import { HUBSPOT_OBJECTS } from './streams.js';

export interface InstallDeps {
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly config: HubspotConfig;
  readonly enqueue: Enqueue;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The consent page URL for a new install, with a fresh single-use CSRF state. */
export async function installUrl(deps: InstallDeps, returnTo?: string): Promise<string> {
  const state = await issueState(deps.db, deps.cipher, { source: 'hubspot', returnTo });
  const url = new URL(deps.config.authorizeUrl);
  url.searchParams.set('client_id', deps.config.clientId);
  url.searchParams.set('redirect_uri', deps.config.redirectUri);
  url.searchParams.set('scope', deps.config.scopes.join(' '));
  if (deps.config.optionalScopes.length > 0) url.searchParams.set('optional_scope', deps.config.optionalScopes.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

export interface InstallResult {
  readonly tenantId: string;
  readonly portalId: string;
  readonly returnTo: string | undefined;
  /** The installing HubSpot user: their email (lower case, as card requests carry it), or their user id when the token names none. */
  readonly installedBy: string;
}

/**
 * The OAuth callback: the state is checked (once), the code exchanged for tokens, the
 * token's portal (hub_id) looked up, the tenant recorded with its tokens encrypted, and
 * the first sync started (owners first; each stream starts the next).
 */
export async function completeInstall(deps: InstallDeps, query: { code?: string | undefined; state?: string | undefined }): Promise<InstallResult> {
  const pending = await consumeState(deps.db, deps.cipher, 'hubspot', query.state);
  if (!query.code) throw new InstallError('HubSpot sent no authorization code; start the install again from HubSpot');
  const { config } = deps;
  const now = (deps.now ?? Date.now)();
  const oauth = sdkClient(config.apiBase);
  const tokens = await oauth.oauth.tokensApi.create('authorization_code', query.code, config.redirectUri, config.clientId, config.clientSecret);
  const info = await oauth.oauth.accessTokensApi.get(tokens.accessToken);
  const portalId = String(info.hubId);
  if (String(info.appId) !== config.appId) throw new InstallError(`The token belongs to app ${info.appId}, not to this app (${config.appId}); check HUBSPOT_APP_ID and HUBSPOT_CLIENT_ID`);
  const homeCurrency = await companyCurrency(config.apiBase, tokens.accessToken, deps.logger);
  const tenantId = await recordInstall(deps.db, deps.cipher, {
    source: 'hubspot',
    externalId: portalId,
    name: info.hubDomain ?? `HubSpot portal ${portalId}`,
    homeCurrency,
    tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: new Date(now + tokens.expiresIn * 1000), scopes: info.scopes },
    settings: { appId: config.appId, hubDomain: info.hubDomain ?? '' },
  });
  try {
    await deps.enqueue('crm-sync', 'sync-object', { tenantId, source: 'hubspot', object: HUBSPOT_OBJECTS[0], mode: 'incremental', cause: firstSyncCause(new Date(now)) });
  } catch (error) {
    // The install itself succeeded (and its state is spent): the tenant's scheduled syncs start the data flowing.
    deps.logger.warn({ err: error, tenantId }, 'the first HubSpot sync could not be queued; the scheduled syncs will run it');
  }
  deps.logger.info({ tenantId, portalId, scopes: info.scopes }, 'HubSpot app installed');
  return { tenantId, portalId, returnTo: pending.returnTo, installedBy: info.user?.toLowerCase() ?? `hubspot-user-${info.userId}` };
}

export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallError';
  }
}

/**
 * The portal's company currency (settings.currencies.read, an optional scope). Without
 * the scope the portal is taken to be single-currency USD and the admin is told how to fix it.
 */
async function companyCurrency(apiBase: string, accessToken: string, logger: Logger): Promise<string> {
  try {
    const response = await sdkClient(apiBase, accessToken).apiRequest({ method: 'GET', path: '/settings/v3/currencies/company-currency' });
    if (response.ok) {
      const body = (await response.json()) as { currencyCode?: string };
      const code = body.currencyCode && parseCurrency(body.currencyCode);
      if (code) return code;
    }
    logger.warn({ status: response.status }, 'could not read the HubSpot company currency: assuming USD; grant settings.currencies.read and reinstall to fix');
  } catch (error) {
    logger.warn({ err: error }, 'could not read the HubSpot company currency: assuming USD');
  }
  return 'USD';
}
