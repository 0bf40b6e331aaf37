import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * OAuth state of the sandbox org: authorization codes (single use, PKCE-bound), access
 * tokens (expiring after the configured lifetime) and refresh tokens (optionally rotated:
 * each refresh returns a new refresh token and retires the old one, as an External Client
 * App with refresh-token rotation does).
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

interface CodeGrant {
  readonly userId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | undefined;
  readonly scope: string;
  readonly expiresAt: number;
}

interface AccessSession {
  readonly userId: string;
  readonly issuedAt: number;
  readonly refreshToken: string | undefined;
  expired: boolean;
}

interface RefreshGrant {
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
}

export type SessionCheck = { ok: true; userId: string } | { ok: false };

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
}

const CODE_LIFETIME_MS = 15 * 60_000;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class SessionStore {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly access = new Map<string, AccessSession>();
  private readonly refresh = new Map<string, RefreshGrant>();

  constructor(
    private readonly orgId: string,
    private readonly now: () => number,
    public tokenTtlMs: number,
    public rotateRefreshTokens: boolean,
  ) {}

  createCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { ...grant, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** The authorization_code grant: the code once, with the same client, redirect URI and PKCE verifier. */
  exchangeCode(code: string, clientId: string, redirectUri: string | undefined, verifier: string | undefined): { userId: string; accessToken: string; refreshToken: string; scope: string } {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.expiresAt < this.now()) throw new OAuthError('invalid_grant', 'expired authorization code');
    if (grant.clientId !== clientId) throw new OAuthError('invalid_client_id', 'client identifier invalid');
    if (redirectUri !== grant.redirectUri) throw new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (grant.challenge !== undefined) {
      if (!verifier) throw new OAuthError('invalid_request', 'code_verifier is required');
      if (s256(verifier) !== grant.challenge) throw new OAuthError('invalid_grant', 'invalid code verifier');
    }
    const refreshToken = this.newRefresh({ userId: grant.userId, clientId, scope: grant.scope });
    return { userId: grant.userId, accessToken: this.newAccess(grant.userId, refreshToken), refreshToken, scope: grant.scope };
  }

  refreshGrant(refreshToken: string, clientId: string): { userId: string; accessToken: string; refreshToken: string | undefined; scope: string } {
    const grant = this.refresh.get(refreshToken);
    if (!grant) throw new OAuthError('invalid_grant', 'expired access/refresh token');
    if (grant.clientId !== clientId) throw new OAuthError('invalid_client_id', 'client identifier invalid');
    let next: string | undefined;
    let current = refreshToken;
    if (this.rotateRefreshTokens) {
      this.refresh.delete(refreshToken);
      current = next = this.newRefresh(grant);
    }
    return { userId: grant.userId, accessToken: this.newAccess(grant.userId, current), refreshToken: next, scope: grant.scope };
  }

  /** A session for tests that skip the OAuth dance. */
  issue(userId: string, clientId: string): { accessToken: string; refreshToken: string } {
    const refreshToken = this.newRefresh({ userId, clientId, scope: 'api refresh_token' });
    return { accessToken: this.newAccess(userId, refreshToken), refreshToken };
  }

  check(accessToken: string | undefined): SessionCheck {
    const session = accessToken ? this.access.get(accessToken) : undefined;
    if (!session || session.expired || this.now() - session.issuedAt >= this.tokenTtlMs) return { ok: false };
    return { ok: true, userId: session.userId };
  }

  /** Revoking a refresh token revokes its access tokens too; revoking an access token only itself. */
  revoke(token: string): boolean {
    if (this.refresh.delete(token)) {
      for (const [key, session] of this.access) if (session.refreshToken === token) this.access.delete(key);
      return true;
    }
    return this.access.delete(token);
  }

  /** Ends every access token (as an admin's "session timeout" or password reset would); refresh tokens survive. */
  expireAll(): void {
    for (const session of this.access.values()) session.expired = true;
  }

  signature(id: string, issuedAt: string, clientSecret: string): string {
    return createHmac('sha256', clientSecret).update(id + issuedAt).digest('base64');
  }

  private newAccess(userId: string, refreshToken: string | undefined): string {
    const token = `${this.orgId.slice(0, 15)}!${randomBytes(40).toString('base64url')}`;
    this.access.set(token, { userId, issuedAt: this.now(), refreshToken, expired: false });
    return token;
  }

  private newRefresh(grant: RefreshGrant): string {
    const token = `5Aep861${randomBytes(40).toString('base64url')}`;
    this.refresh.set(token, grant);
    return token;
  }
}
