import { sql } from 'kysely';
import type { Db } from '../../worker/src/db/database.js';
import type { TokenCipher } from '../../worker/src/secrets/token-cipher.js';

export type CrmSource = 'hubspot' | 'salesforce';

/** The tenant id for a portal or org: stable, readable in logs, and never shared by two CRMs. */
export function tenantIdFor(source: CrmSource, externalId: string): string {
  return `${source === 'hubspot' ? 'hs' : 'sf'}-${externalId}`;
}

export interface OAuthTokens {
  readonly accessToken: string;
  /** Absent when the CRM did not rotate it: the stored one stays valid. */
  readonly refreshToken?: string | undefined;
  readonly expiresAt: Date;
  readonly scopes?: readonly string[] | undefined;
}

export interface InstallRecord {
  readonly source: CrmSource;
  /** HubSpot portal id (hub_id) or Salesforce organization id. */
  readonly externalId: string;
  readonly name: string;
  readonly homeCurrency: string;
  readonly fiscalYearStartMonth?: number;
  readonly tokens: OAuthTokens & { readonly refreshToken: string };
  /** Connector-specific, non-secret settings (Salesforce instance URL, HubSpot app id…). */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface Connection {
  readonly tenantId: string;
  readonly source: CrmSource;
  readonly externalId: string;
  readonly status: 'connected' | 'revoked' | 'error';
  readonly tenantStatus: 'active' | 'disconnected';
  readonly accessToken: string | null;
  readonly refreshToken: string | null;
  readonly expiresAt: Date | null;
  readonly scopes: readonly string[];
  readonly settings: Readonly<Record<string, string>>;
}

/**
 * Install (or re-install) a CRM: the tenant row, then its tokens encrypted with the
 * environment's key. Re-installing a disconnected tenant reactivates it with all its
 * history: uninstalling never deletes anything.
 */
export async function recordInstall(db: Db, cipher: TokenCipher, install: InstallRecord): Promise<string> {
  const tenantId = tenantIdFor(install.source, install.externalId);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('tenants')
      .values({ id: tenantId, name: install.name, source: install.source, external_id: install.externalId, home_currency: install.homeCurrency, fiscal_year_start_month: install.fiscalYearStartMonth ?? 1, status: 'active' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: install.name, home_currency: install.homeCurrency, status: 'active', updated_at: sql`now()` }))
      .execute();
    const row = {
      tenant_id: tenantId,
      source: install.source,
      access_token_enc: cipher.encrypt(install.tokens.accessToken),
      refresh_token_enc: cipher.encrypt(install.tokens.refreshToken),
      token_expires_at: install.tokens.expiresAt,
      scopes: [...(install.tokens.scopes ?? [])],
      status: 'connected' as const,
      last_error: null,
      settings: JSON.stringify(install.settings ?? {}),
    };
    await tx
      .insertInto('crm_connections')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'source']).doUpdateSet({ ...row, updated_at: sql`now()` }))
      .execute();
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor: `${install.source}-install`, action: 'crm.installed', target: install.externalId, details: JSON.stringify({ scopes: install.tokens.scopes ?? [] }) }).execute();
  });
  return tenantId;
}

export async function readConnection(db: Db, cipher: TokenCipher, tenantId: string): Promise<Connection | undefined> {
  const row = await db
    .selectFrom('crm_connections')
    .innerJoin('tenants', 'tenants.id', 'crm_connections.tenant_id')
    .select(['crm_connections.tenant_id', 'crm_connections.source', 'tenants.external_id', 'crm_connections.status', 'tenants.status as tenant_status', 'access_token_enc', 'refresh_token_enc', 'token_expires_at', 'scopes', 'settings'])
    .where('crm_connections.tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    tenantId: row.tenant_id,
    source: row.source as CrmSource,
    externalId: row.external_id,
    status: row.status,
    tenantStatus: row.tenant_status,
    accessToken: row.access_token_enc ? cipher.decrypt(row.access_token_enc) : null,
    refreshToken: row.refresh_token_enc ? cipher.decrypt(row.refresh_token_enc) : null,
    expiresAt: row.token_expires_at,
    scopes: row.scopes,
    settings: row.settings,
  };
}

/** Stores refreshed tokens; a rotated refresh token replaces the old one in the same write, so it is never lost between the two. */
export async function storeRefreshedTokens(db: Db, cipher: TokenCipher, tenantId: string, tokens: OAuthTokens): Promise<void> {
  await db
    .updateTable('crm_connections')
    .set({
      access_token_enc: cipher.encrypt(tokens.accessToken),
      ...(tokens.refreshToken ? { refresh_token_enc: cipher.encrypt(tokens.refreshToken) } : {}),
      token_expires_at: tokens.expiresAt,
      status: 'connected',
      updated_at: sql`now()`,
    })
    .where('tenant_id', '=', tenantId)
    .execute();
}

/**
 * The CRM said the grant is gone (app uninstalled, refresh token revoked): the tenant is
 * marked disconnected so its jobs stop, its tokens are dropped, and its data stays.
 */
export async function markDisconnected(db: Db, tenantId: string, reason: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('crm_connections').set({ status: 'revoked', access_token_enc: null, refresh_token_enc: null, token_expires_at: null, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).execute();
    await tx.updateTable('tenants').set({ status: 'disconnected', updated_at: sql`now()` }).where('id', '=', tenantId).execute();
    await tx.insertInto('audit_log').values({ tenant_id: tenantId, actor: 'crm', action: 'crm.disconnected', target: tenantId, details: JSON.stringify({ reason }) }).execute();
  });
}
