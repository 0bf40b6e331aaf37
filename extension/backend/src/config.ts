import { z } from 'zod';

/**
 * The backend's settings, read once from the environment. Every problem is reported at
 * once with the variable's name and how to fix it, so a misconfigured deployment fails at
 * start rather than on the first card request.
 */
const Flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Set when a TLS-terminating proxy is in front: signatures are then checked against the forwarded https URL. */
  CARD_API_TRUST_PROXY: Flag.default(false),
  /** Signs admin-console session cookies. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters: generate one with `openssl rand -base64 48`'),
  /** Session cookies are sent over https only unless this is false (local http development). */
  SESSION_COOKIE_SECURE: Flag.default(true),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** The HubSpot app's client secret: hubspot.fetch signatures are checked with it. Unset: HubSpot card requests are refused. */
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** When set, hubspot.fetch requests must carry this appId. */
  HUBSPOT_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric HubSpot app id').optional(),
  /** How long a tenant's cached data may be reused before checking for a newer statement run (ms). */
  CARD_CACHE_CHECK_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
});

export interface BackendConfig {
  readonly port: number;
  readonly trustProxy: boolean;
  readonly sessionSecret: string;
  readonly sessionCookieSecure: boolean;
  readonly sessionTtlMs: number;
  readonly hubspotClientSecret: string | undefined;
  readonly hubspotAppId: string | undefined;
  readonly cacheCheckMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The card API is misconfigured:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment (never in a file in the repo) and start again.`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): BackendConfig {
  // Empty strings are how shells and .env files spell "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  const e = parsed.data;
  return {
    port: e.PORT,
    trustProxy: e.CARD_API_TRUST_PROXY,
    sessionSecret: e.SESSION_SECRET,
    sessionCookieSecure: e.SESSION_COOKIE_SECURE,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    hubspotClientSecret: e.HUBSPOT_CLIENT_SECRET,
    hubspotAppId: e.HUBSPOT_APP_ID,
    cacheCheckMs: e.CARD_CACHE_CHECK_MS,
  };
}
