import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ROLES, type Role } from '../cards/view-models.js';
import { ApiFailure } from '../http/api-failure.js';
import { setPrincipal, type Principal } from './principal.js';

/**
 * Admin-console sessions. After the CRM's OAuth login (or install) callback has proven
 * who the user is, it calls `issueSession`; the cookie carries the claims and an
 * HMAC-SHA256 over them with SESSION_SECRET, so no session table is needed and a
 * tampered or expired cookie is simply refused. httpOnly (no script can read it),
 * SameSite=Lax (not sent on cross-site POSTs), Secure unless configured otherwise.
 */
export const SESSION_COOKIE = 'spm_session';

const Claims = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  roles: z.array(z.enum(ROLES)),
  /** Expiry, epoch ms. */
  exp: z.number().int(),
});
export type SessionClaims = z.infer<typeof Claims>;

export interface SessionSettings {
  readonly secret: string;
  readonly secure: boolean;
  readonly ttlMs: number;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('base64url');
}

export function encodeSession(claims: SessionClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function decodeSession(value: string, secret: string, now: number): SessionClaims | undefined {
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'utf8');
  const expected = Buffer.from(sign(payload, secret), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const claims = Claims.safeParse(json);
  if (!claims.success || claims.data.exp <= now) return undefined;
  return claims.data;
}

/** Called by the install and login callbacks once the CRM has identified the user. */
export function issueSession(res: Response, settings: SessionSettings, session: { tenantId: string; userId: string; roles: readonly Role[] }, now: number = Date.now()): void {
  const claims: SessionClaims = { tenantId: session.tenantId, userId: session.userId, roles: [...session.roles], exp: now + settings.ttlMs };
  res.cookie(SESSION_COOKIE, encodeSession(claims, settings.secret), { httpOnly: true, secure: settings.secure, sameSite: 'lax', path: '/', maxAge: settings.ttlMs });
}

/** Reads one cookie without a cookie-parsing dependency: the header is "a=1; b=2". */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function sessionOf(req: Request, settings: SessionSettings, now: number): SessionClaims | undefined {
  const value = cookieValue(req, SESSION_COOKIE);
  return value === undefined ? undefined : decodeSession(value, settings.secret, now);
}

export function sessionPrincipal(claims: SessionClaims): Principal {
  return { tenantId: claims.tenantId, userId: claims.userId, via: 'session', grantedRoles: claims.roles };
}

/** Guards /api/admin/**: a valid session (401 otherwise) with the admin role (403 otherwise). */
export function requireAdminSession(settings: SessionSettings, now: () => number): RequestHandler {
  return (req, _res, next) => {
    const claims = sessionOf(req, settings, now());
    if (!claims) throw new ApiFailure('unauthenticated', 'Sign in to the admin console first', 'open the console from the CRM so it can sign you in');
    if (!claims.roles.includes('admin')) throw new ApiFailure('forbidden', 'The admin console is for admins of this account', 'ask an admin of this account to grant you the admin role');
    // The admin console's routes read it with principalOf (extension/backend/src/admin/principal.ts).
    setPrincipal(req, sessionPrincipal(claims));
    next();
  };
}
