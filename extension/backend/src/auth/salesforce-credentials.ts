import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../../worker/src/db/database.js';

/**
 * Per-org API credentials for the Salesforce package. Apex calls the backend through a
 * Named Credential whose External Credential holds this value and sends it as
 * `Authorization: Bearer <credential>`. The credential is "spm_sf_<id>.<secret>": the id
 * finds the row, the secret (256 random bits) is checked against its SHA-256. The secret
 * is shown once, when issued, and is never stored.
 */
export const CREDENTIAL_PREFIX = 'spm_sf_';
const FORMAT = /^spm_sf_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedCredential {
  readonly id: string;
  /** The full value to paste into the External Credential; not recoverable later. */
  readonly credential: string;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Mints a credential for a Salesforce tenant (called by the install callback or an admin). Older credentials keep working until revoked. */
export async function issueSalesforceCredential(db: Db, tenantId: string, actor: string, label = 'Salesforce package'): Promise<IssuedCredential> {
  if (!tenantId.startsWith('sf-')) throw new Error(`Tenant ${tenantId} is not a Salesforce org: API credentials are for the Salesforce package only`);
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('card_api_credentials').values({ tenant_id: tenantId, id, secret_hash: hashSecret(secret), label, created_by: actor, last_used_at: null, revoked_at: null }).execute();
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'card-api-credential.issued', target: id, details: JSON.stringify({ label }) }).execute();
  });
  return { id, credential: `${CREDENTIAL_PREFIX}${id}.${secret}` };
}

export async function revokeSalesforceCredential(db: Db, tenantId: string, id: string, actor: string): Promise<boolean> {
  const result = await db.updateTable('card_api_credentials').set({ revoked_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  const revoked = Number(result.numUpdatedRows) > 0;
  if (revoked) await db.insertInto('audit_log').values({ tenant_id: tenantId, actor, action: 'card-api-credential.revoked', target: id, details: JSON.stringify({}) }).execute();
  return revoked;
}

interface CachedCredential {
  readonly tenantId: string | undefined;
  readonly hash: string | undefined;
  readonly checkedAt: number;
}

/**
 * Checks credentials, remembering each row for `ttlMs` so a busy card does not read the
 * table on every request; a revocation takes effect within that time.
 */
export class CredentialVerifier {
  private readonly cache = new Map<string, CachedCredential>();
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  /** The tenant the credential belongs to, or undefined for a malformed, unknown, revoked or wrong one. */
  async verify(credential: string, now: number): Promise<string | undefined> {
    const match = FORMAT.exec(credential);
    if (!match) return undefined;
    const [, id, secret] = match as unknown as [string, string, string];
    let row = this.cache.get(id);
    if (!row || now - row.checkedAt >= this.ttlMs) {
      const found = await this.db.selectFrom('card_api_credentials').select(['tenant_id', 'secret_hash']).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      row = { tenantId: found?.tenant_id, hash: found?.secret_hash, checkedAt: now };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, row);
    }
    if (!row.hash || !row.tenantId) return undefined;
    const expected = Buffer.from(row.hash, 'hex');
    const given = createHash('sha256').update(secret, 'utf8').digest();
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    this.touch(id, now);
    return row.tenantId;
  }

  /** Records use at most once a minute per credential, off the request's path: admins see which credentials are live. */
  private touch(id: string, now: number): void {
    if (now - (this.lastTouched.get(id) ?? 0) < 60_000) return;
    this.lastTouched.set(id, now);
    void this.db.updateTable('card_api_credentials').set({ last_used_at: sql`now()` }).where('id', '=', id).execute().catch(() => undefined);
  }
}
