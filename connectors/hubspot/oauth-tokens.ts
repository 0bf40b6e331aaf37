import type { Logger } from 'pino';
import { markDisconnected, readConnection, storeRefreshedTokens } from '../core/tenant-connections.js';
import type { Db } from '../../worker/src/db/database.js';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { HubspotApiError } from './api-errors.js';
import type { HubspotConfig } from './config.js';
import { sdkClient } from './sdk-client.js';

export interface TokenDeps {
  readonly db: Db;
  readonly cipher: TokenCipher;
  readonly config: HubspotConfig;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** A tenant whose grant HubSpot no longer honours; jobs for it fail without retrying. */
export function disconnectedError(tenantId: string): PermanentJobError {
  return new PermanentJobError('tenant_disconnected', `HubSpot tenant ${tenantId} is disconnected (the app was uninstalled or its access revoked); reinstall the app from HubSpot to resume syncing`);
}

/**
 * Access tokens per tenant. HubSpot's live 30 minutes; a token is refreshed ahead of its
 * expiry, and on a 401 (HubSpot says a 401 alone does not prove expiry, so one refresh
 * and one retry, then the error stands). One refresh per tenant is in flight at a time:
 * concurrent callers await the same promise rather than each spending a refresh.
 * The token in use is kept in memory per tenant: every API request asks for one, and
 * reading it from the database each time (a join and two decrypts) would cost a query per
 * HubSpot call. The database is read again only when no token is held, when the held one
 * is within the refresh margin of its expiry, or when HubSpot rejected it (401), which is
 * also how a token revoked or replaced elsewhere (uninstall, another worker) is noticed.
 */
export class TokenManager {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly held = new Map<string, { readonly accessToken: string; readonly expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly deps: TokenDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A usable access token; `rejected` is one HubSpot just answered 401 to. */
  async accessToken(tenantId: string, rejected?: string): Promise<string> {
    const pending = this.inFlight.get(tenantId);
    if (pending) return pending;
    const held = this.held.get(tenantId);
    if (held && held.accessToken !== rejected && this.isFresh(held.expiresAt)) return held.accessToken;
    this.held.delete(tenantId);
    const connection = await readConnection(this.deps.db, this.deps.cipher, tenantId);
    if (!connection) throw new PermanentJobError('invalid_input', `HubSpot tenant ${tenantId} has no stored connection; install the app first`);
    if (connection.status === 'revoked' || connection.tenantStatus === 'disconnected' || !connection.refreshToken) throw disconnectedError(tenantId);
    const fresh = connection.accessToken && connection.expiresAt && this.isFresh(connection.expiresAt.getTime());
    if (fresh && connection.accessToken !== rejected) {
      // The stored token may be newer than the one rejected (another worker refreshed it): use it, and hold it.
      this.held.set(tenantId, { accessToken: connection.accessToken!, expiresAt: connection.expiresAt!.getTime() });
      return connection.accessToken!;
    }
    // Re-check: another caller may have started the refresh while we read the row.
    const again = this.inFlight.get(tenantId);
    if (again) return again;
    const refresh = this.refresh(tenantId, connection.refreshToken).finally(() => this.inFlight.delete(tenantId));
    this.inFlight.set(tenantId, refresh);
    return refresh;
  }

  /** Usable for a while yet: tokens within the refresh margin of expiry are replaced before HubSpot refuses them. */
  private isFresh(expiresAt: number): boolean {
    return expiresAt - this.deps.config.refreshMarginMs > this.now();
  }

  private async refresh(tenantId: string, refreshToken: string): Promise<string> {
    const { config, db, cipher, logger } = this.deps;
    const startedAt = this.now();
    try {
      const tokens = await sdkClient(config.apiBase).oauth.tokensApi.create('refresh_token', undefined, undefined, config.clientId, config.clientSecret, refreshToken);
      const expiresAt = startedAt + tokens.expiresIn * 1000;
      await storeRefreshedTokens(db, cipher, tenantId, {
        accessToken: tokens.accessToken,
        // HubSpot v1 keeps the refresh token; a rotated one replaces it in the same write.
        refreshToken: tokens.refreshToken && tokens.refreshToken !== refreshToken ? tokens.refreshToken : undefined,
        expiresAt: new Date(expiresAt),
      });
      // Held only once stored, so memory never has a token the database (and other workers) lack.
      this.held.set(tenantId, { accessToken: tokens.accessToken, expiresAt });
      logger.info({ tenantId, expiresIn: tokens.expiresIn }, 'refreshed the HubSpot access token');
      return tokens.accessToken;
    } catch (error) {
      if (error instanceof HubspotApiError && error.isRevokedGrant) {
        await markDisconnected(db, tenantId, `HubSpot refused the refresh token (${String(error.body['status'] ?? error.body['error'])}): the app was uninstalled or its access revoked`);
        logger.warn({ tenantId }, 'HubSpot refused the refresh token: tenant marked disconnected, its data kept');
        throw disconnectedError(tenantId);
      }
      throw error;
    }
  }
}
