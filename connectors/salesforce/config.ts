import { z } from 'zod';

/**
 * The Salesforce app settings, from the environment. The External Client App may be a
 * public client (PKCE without a secret), so the secret is optional; everything else is
 * needed before the first admin can connect.
 */
export interface SalesforceConfig {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUri: string;
  /** Default login host; an admin may pick a My Domain or test.salesforce.com per install. */
  readonly loginUrl: string;
  /** jsforce defaults to 50.0 when not told; every URL must carry the version we coded against. */
  readonly apiVersion: string;
  /** Fraction of the org's daily API allocation the sync leaves for the customer's other integrations. */
  readonly apiHeadroom: number;
  /** Above this many opportunities, the first full sync reads them with Bulk API 2.0. */
  readonly bulkThreshold: number;
  /** How far before the stored watermark each incremental query starts (SystemModstamp commits can land late). */
  readonly lookbackMs: number;
}

const loginHost = z
  .url({ protocol: /^https?$/, error: 'must be a URL such as https://login.salesforce.com, https://test.salesforce.com or https://acme.my.salesforce.com' })
  .transform((u) => u.replace(/\/+$/, ''));

const EnvSchema = z.object({
  SALESFORCE_CLIENT_ID: z.string({ error: 'SALESFORCE_CLIENT_ID is required: copy the Consumer Key of the External Client App' }).min(1, 'SALESFORCE_CLIENT_ID is empty: copy the Consumer Key of the External Client App'),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  SALESFORCE_REDIRECT_URI: z.url({ error: 'SALESFORCE_REDIRECT_URI must be the absolute callback URL registered in the External Client App, e.g. https://app.example.com/oauth/salesforce/callback' }),
  SALESFORCE_LOGIN_URL: loginHost.default('https://login.salesforce.com'),
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'SALESFORCE_API_VERSION looks like "64.0"')
    .refine((v) => Number(v) >= 44, 'SALESFORCE_API_VERSION must be 44.0 or later (Change Data Capture channels and SObject Collections need it)')
    .default('64.0'),
  SALESFORCE_API_HEADROOM: z.coerce.number().min(0).max(0.9).default(0.2),
  SALESFORCE_BULK_THRESHOLD: z.coerce.number().int().min(2_000).default(50_000),
  SALESFORCE_LOOKBACK_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
});

export class SalesforceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SalesforceConfigError';
  }
}

export function parseSalesforceConfig(env: Readonly<Record<string, string | undefined>>): SalesforceConfig {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SALESFORCE_') && v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new SalesforceConfigError(`Salesforce connector is misconfigured:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    clientId: e.SALESFORCE_CLIENT_ID,
    clientSecret: e.SALESFORCE_CLIENT_SECRET,
    redirectUri: e.SALESFORCE_REDIRECT_URI,
    loginUrl: e.SALESFORCE_LOGIN_URL,
    apiVersion: e.SALESFORCE_API_VERSION,
    apiHeadroom: e.SALESFORCE_API_HEADROOM,
    bulkThreshold: e.SALESFORCE_BULK_THRESHOLD,
    lookbackMs: e.SALESFORCE_LOOKBACK_SECONDS * 1000,
  };
}

/**
 * Login hosts an admin may choose at install time. Anything else would let a forged
 * connect link send our client id and the code to a host we don't trust.
 */
export function isAllowedLoginUrl(url: string, config: SalesforceConfig): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (url.replace(/\/+$/, '') === config.loginUrl) return true;
  if (parsed.protocol !== 'https:' || parsed.pathname.replace(/\/+$/, '') !== '' || parsed.search || parsed.username) return false;
  return /^(login|test)\.salesforce\.com$/.test(parsed.hostname) || /^[a-z0-9-]+(--[a-z0-9]+)?\.(sandbox\.)?my\.salesforce\.com$/.test(parsed.hostname);
}
