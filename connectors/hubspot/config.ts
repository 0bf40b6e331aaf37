import { z } from 'zod';

/** OAuth scopes the marketplace app asks for at install (see BEHAVIOR.md, "Scopes"). */
export const REQUIRED_SCOPES = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.owners.read',
  // Tasks, calls, emails and meetings are governed by the contacts scopes (tasks guide).
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
] as const;
/** Granted on tiers that have them; the sync skips what they gate when they are missing. */
// crm.dealsplits.read_write: HubSpot offers no read-only splits scope; the app never writes splits.
export const OPTIONAL_SCOPES = ['crm.objects.goals.read', 'settings.currencies.read', 'crm.dealsplits.read_write'] as const;

/** HubSpot's published limits for a marketplace app, per installing portal (brief §7). */
export interface RateLimits {
  /** General CRM API: requests per window. */
  readonly generalPerWindow: number;
  readonly generalWindowMs: number;
  /** CRM search: requests per second, counted apart from the general limit. */
  readonly searchPerSecond: number;
}

export const HUBSPOT_PUBLISHED_LIMITS: RateLimits = { generalPerWindow: 110, generalWindowMs: 10_000, searchPerSecond: 5 };

export interface HubspotConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appId: string;
  readonly redirectUri: string;
  /** Base of every API call (the SDK's basePath). */
  readonly apiBase: string;
  /** The consent page the admin is sent to. */
  readonly authorizeUrl: string;
  readonly scopes: readonly string[];
  readonly optionalScopes: readonly string[];
  /**
   * How much of the published limits the connector uses. Below 1 so that other traffic
   * on the same portal (the UI cards, a retry already in flight) does not push us over.
   */
  readonly rateLimits: RateLimits;
  /** Refresh the access token this long before HubSpot says it expires (clock skew, slow requests). */
  readonly refreshMarginMs: number;
  /** First wait after a 429 without Retry-After (doubles per repeat, up to the policy's window). */
  readonly rateLimitBackoffMs: number;
  /** Trust x-forwarded-proto/host when rebuilding the URL HubSpot signed (behind a TLS proxy). */
  readonly trustProxy: boolean;
}

const url = (name: string) =>
  z
    .string({ error: `${name} is not set` })
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `${name} must be an absolute http(s) URL`);

const EnvSchema = z.object({
  HUBSPOT_CLIENT_ID: z.string({ error: 'HUBSPOT_CLIENT_ID is not set: copy the client id from the app\'s Auth settings' }).trim().min(1, 'HUBSPOT_CLIENT_ID is empty'),
  HUBSPOT_CLIENT_SECRET: z.string({ error: 'HUBSPOT_CLIENT_SECRET is not set: copy the client secret from the app\'s Auth settings' }).trim().min(1, 'HUBSPOT_CLIENT_SECRET is empty'),
  HUBSPOT_APP_ID: z.string({ error: 'HUBSPOT_APP_ID is not set: use the numeric app id from the developer account' }).trim().regex(/^\d+$/, 'HUBSPOT_APP_ID must be the numeric app id'),
  HUBSPOT_REDIRECT_URI: url('HUBSPOT_REDIRECT_URI'),
  HUBSPOT_API_BASE: url('HUBSPOT_API_BASE').default('https://api.hubapi.com'),
  HUBSPOT_AUTHORIZE_URL: url('HUBSPOT_AUTHORIZE_URL').default('https://app.hubspot.com/oauth/authorize'),
  HUBSPOT_TRUST_PROXY: z.enum(['true', 'false'], { error: 'HUBSPOT_TRUST_PROXY must be true or false' }).default('false'),
});

export class HubspotConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`HubSpot connector configuration is invalid: ${issues.join('; ')}`);
    this.name = 'HubspotConfigError';
  }
}

/** Reads the connector's settings from the environment; every problem is named in one error. */
export function hubspotConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<HubspotConfig> = {}): HubspotConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new HubspotConfigError(parsed.error.issues.map((i) => i.message));
  const e = parsed.data;
  return {
    clientId: e.HUBSPOT_CLIENT_ID,
    clientSecret: e.HUBSPOT_CLIENT_SECRET,
    appId: e.HUBSPOT_APP_ID,
    redirectUri: e.HUBSPOT_REDIRECT_URI,
    apiBase: e.HUBSPOT_API_BASE.replace(/\/+$/, ''),
    authorizeUrl: e.HUBSPOT_AUTHORIZE_URL,
    scopes: REQUIRED_SCOPES,
    optionalScopes: OPTIONAL_SCOPES,
    rateLimits: { generalPerWindow: 100, generalWindowMs: 10_000, searchPerSecond: 4 },
    refreshMarginMs: 5 * 60_000,
    rateLimitBackoffMs: 1_000,
    trustProxy: e.HUBSPOT_TRUST_PROXY === 'true',
    ...overrides,
  };
}
