import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../worker/src/db/database.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import type { CrmSource } from './tenant-connections.js';

/** How long an admin has between clicking "Connect" and coming back from the CRM's consent page. */
const STATE_TTL_MS = 10 * 60_000;

export interface PendingInstall {
  readonly source: CrmSource;
  /** Salesforce PKCE verifier (kept encrypted until the callback). */
  readonly codeVerifier?: string | undefined;
  /** Salesforce login host the admin chose (My Domain, test.salesforce.com). */
  readonly loginUrl?: string | undefined;
  /** Where the console sends the admin after the install. */
  readonly returnTo?: string | undefined;
}

export class OAuthStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthStateError';
  }
}

/**
 * A path on this site: one leading "/" not followed by "/" or "\". Browsers read "//host"
 * and "/\host" alike as another host, and the callback redirects there with the tenant id,
 * so anything else would be an open redirect after the install.
 */
const SAME_SITE_PATH = /^\/(?![/\\])/;

/**
 * A fresh, unguessable `state` bound to this install attempt (CSRF protection for the callback).
 * A `returnTo` that is not a same-site path is dropped here, where every CRM stores it, so
 * no route can forget the check: the install then goes on and the callback lands nowhere special.
 */
export async function issueState(db: Db, cipher: TokenCipher, pending: PendingInstall, now: Date = new Date()): Promise<string> {
  const state = randomBytes(24).toString('base64url');
  const returnTo = pending.returnTo !== undefined && SAME_SITE_PATH.test(pending.returnTo) ? pending.returnTo : null;
  await db
    .insertInto('oauth_states')
    .values({
      state,
      source: pending.source,
      code_verifier_enc: pending.codeVerifier ? cipher.encrypt(pending.codeVerifier) : null,
      login_url: pending.loginUrl ?? null,
      return_to: returnTo,
      expires_at: new Date(now.getTime() + STATE_TTL_MS),
    })
    .execute();
  return state;
}

/**
 * Takes the state back exactly once: a replayed or forged callback finds nothing, an
 * expired one is refused with a message that tells the admin to start the install again.
 */
export async function consumeState(db: Db, cipher: TokenCipher, source: CrmSource, state: string | undefined, now: Date = new Date()): Promise<PendingInstall> {
  if (!state) throw new OAuthStateError('The install callback has no state parameter; start the install again from the admin console.');
  const row = await db.deleteFrom('oauth_states').where('state', '=', state).where('source', '=', source).returningAll().executeTakeFirst();
  await db.deleteFrom('oauth_states').where('expires_at', '<', sql<Date>`now()`).execute();
  if (!row) throw new OAuthStateError('The install callback carries an unknown or already used state; start the install again from the admin console.');
  if (new Date(row.expires_at).getTime() < now.getTime()) throw new OAuthStateError('The install took longer than 10 minutes and its state expired; start the install again from the admin console.');
  return {
    source,
    codeVerifier: row.code_verifier_enc ? cipher.decrypt(row.code_verifier_enc) : undefined,
    loginUrl: row.login_url ?? undefined,
    returnTo: row.return_to ?? undefined,
  };
}
