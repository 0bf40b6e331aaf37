import { randomBytes, randomUUID } from 'node:crypto';
import { expiredAuthentication, HubspotError, invalidAuthentication, oauthError } from './errors.js';
import type { WireAccessTokenInfo, WireRefreshTokenInfo, WireTokenResponse } from './wire.js';

/** Scopes this sandbox knows; asking for any other fails the install like HubSpot's authorize page does. */
export const KNOWN_SCOPES: readonly string[] = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.goals.read',
  'crm.objects.goals.write',
  'crm.schemas.deals.read',
  'crm.dealsplits.read_write',
  'settings.currencies.read',
  'settings.users.read',
  'settings.users.teams.read',
  'sales-email-read',
];

export interface OAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appId: number;
  readonly portalId: number;
  readonly hubDomain: string;
  /** Redirect URIs registered for the app; empty accepts any http(s) URI. */
  readonly redirectUris: readonly string[];
  tokenTtlSeconds: number;
  /** The installing user. */
  readonly installerUserId: number;
  readonly installerEmail: string;
}

interface AccessToken {
  readonly scopes: readonly string[];
  expiresMs: number;
  readonly refreshToken: string | undefined;
  revoked: boolean;
}

interface RefreshToken {
  readonly scopes: readonly string[];
  revoked: boolean;
}

const AUTH_CODE_TTL_MS = 10 * 60_000;

/** The OAuth 2.0 side of HubSpot for one app installed in one portal. */
export class OAuthServer {
  private readonly codes = new Map<string, { redirectUri: string; scopes: readonly string[]; expiresMs: number }>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly accessTokens = new Map<string, AccessToken>();

  constructor(readonly config: OAuthConfig) {}

  /**
   * The install page: HubSpot shows a consent screen, the sandbox consents at once and
   * redirects to `redirect_uri?code=…&state=…`. Throws a 400 for a bad request (the real
   * page shows an error instead of redirecting).
   */
  authorize(query: URLSearchParams): string {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    const scope = query.get('scope') ?? '';
    if (clientId !== this.config.clientId) throw oauthError('BAD_CLIENT_ID', `client_id "${clientId ?? ''}" is not the id of an app installable here`);
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) throw oauthError('BAD_REDIRECT_URI', 'redirect_uri must be an absolute http(s) URL');
    if (this.config.redirectUris.length > 0 && !this.config.redirectUris.includes(redirectUri)) throw oauthError('BAD_REDIRECT_URI', `redirect_uri ${redirectUri} is not one of the app's redirect URLs`);
    const requested = scope.split(/[\s+]+/).filter(Boolean);
    const optional = (query.get('optional_scope') ?? '').split(/[\s+]+/).filter(Boolean);
    if (requested.length === 0) throw oauthError('BAD_SCOPES', 'scope must list at least one scope');
    const unknown = requested.filter((s) => !KNOWN_SCOPES.includes(s));
    if (unknown.length > 0) throw oauthError('BAD_SCOPES', `unknown or unavailable scopes: ${unknown.join(', ')}`);
    const granted = [...new Set([...requested, ...optional.filter((s) => KNOWN_SCOPES.includes(s))])];
    const code = randomUUID();
    this.codes.set(code, { redirectUri, scopes: granted, expiresMs: Date.now() + AUTH_CODE_TTL_MS });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return target.toString();
  }

  /** POST /oauth/v1/token (form-encoded). */
  token(form: URLSearchParams): WireTokenResponse {
    const grant = form.get('grant_type');
    if (form.get('client_id') !== this.config.clientId) throw oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
    if (form.get('client_secret') !== this.config.clientSecret) throw oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = this.codes.get(code);
      if (!pending) throw oauthError('BAD_AUTH_CODE', 'missing or unknown auth code');
      this.codes.delete(code); // single use
      if (pending.expiresMs < Date.now()) throw oauthError('EXPIRED_AUTH_CODE', 'auth code is expired');
      if (form.get('redirect_uri') !== pending.redirectUri) throw oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match the one used to get the auth code');
      const refresh = this.newRefreshToken(pending.scopes);
      return this.newAccessToken(pending.scopes, refresh);
    }
    if (grant === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      const record = this.refreshTokens.get(refresh);
      if (!record || record.revoked) throw oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
      return this.newAccessToken(record.scopes, refresh);
    }
    throw oauthError('BAD_GRANT_TYPE', `unsupported grant_type "${grant ?? ''}"; use authorization_code or refresh_token`);
  }

  /** Test shortcut: an installed app's tokens without the browser round trip. */
  issueTokens(scopes: readonly string[] = KNOWN_SCOPES): WireTokenResponse {
    return this.newAccessToken(scopes, this.newRefreshToken(scopes));
  }

  /** The scopes of a valid bearer token, or HubSpot's 401. */
  authenticate(authorization: string | undefined, nowMs = Date.now()): readonly string[] {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const record = token === undefined ? undefined : this.accessTokens.get(token);
    if (!record || record.revoked) throw invalidAuthentication();
    if (record.expiresMs <= nowMs) throw expiredAuthentication(record.expiresMs, nowMs);
    return record.scopes;
  }

  accessTokenInfo(token: string, nowMs = Date.now()): WireAccessTokenInfo {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked) throw new HubspotError(404, { status: 'error', message: 'Token not found', correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' });
    if (record.expiresMs <= nowMs) throw expiredAuthentication(record.expiresMs, nowMs);
    return {
      token,
      user: this.config.installerEmail,
      hub_domain: this.config.hubDomain,
      scopes: [...record.scopes],
      hub_id: this.config.portalId,
      app_id: this.config.appId,
      expires_in: Math.floor((record.expiresMs - nowMs) / 1000),
      user_id: this.config.installerUserId,
      token_type: 'access',
    };
  }

  refreshTokenInfo(token: string): WireRefreshTokenInfo {
    const record = this.refreshTokens.get(token);
    if (!record || record.revoked) throw oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token', 404);
    return {
      token,
      user: this.config.installerEmail,
      hub_domain: this.config.hubDomain,
      scopes: [...record.scopes],
      hub_id: this.config.portalId,
      client_id: this.config.clientId,
      user_id: this.config.installerUserId,
      token_type: 'refresh',
    };
  }

  /** DELETE /oauth/v1/refresh-tokens/:token. Access tokens already issued live until they expire. */
  revokeRefreshToken(token: string): void {
    const record = this.refreshTokens.get(token);
    if (!record || record.revoked) throw oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token', 404);
    record.revoked = true;
  }

  /** Makes every access token expired now (as if 30 minutes had passed); refresh tokens keep working. */
  expireAccessTokens(nowMs = Date.now()): void {
    for (const t of this.accessTokens.values()) t.expiresMs = Math.min(t.expiresMs, nowMs - 1);
  }

  /** The customer uninstalled the app: every token stops working at once. */
  uninstall(): void {
    for (const t of this.accessTokens.values()) t.revoked = true;
    for (const t of this.refreshTokens.values()) t.revoked = true;
  }

  private newRefreshToken(scopes: readonly string[]): string {
    const token = `na1-${randomUUID().slice(4)}`;
    this.refreshTokens.set(token, { scopes, revoked: false });
    return token;
  }

  private newAccessToken(scopes: readonly string[], refreshToken: string | undefined): WireTokenResponse {
    const token = `CN${randomBytes(48).toString('base64url')}`;
    this.accessTokens.set(token, { scopes, expiresMs: Date.now() + this.config.tokenTtlSeconds * 1000, refreshToken, revoked: false });
    return { token_type: 'bearer', access_token: token, refresh_token: refreshToken ?? '', expires_in: this.config.tokenTtlSeconds };
  }
}
