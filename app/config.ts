import { z } from 'zod';
import { hubspotConfigFromEnv, HubspotConfigError, type HubspotConfig } from '../connectors/hubspot/index.js';
import { parseSalesforceConfig, type SalesforceConfig } from '../connectors/salesforce/index.js';
import { ConfigError, loadConfig, type BackendConfig } from '../extension/backend/src/config.js';
import { parseWorkerEnv, WorkerEnvError, type WorkerEnv } from '../worker/src/env.js';
import { TokenCipher } from '../worker/src/secrets/token-cipher.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Which parts a process runs: `spm serve` the HTTP API, `spm worker` the jobs, `spm start` both. */
export type ProcessRole = 'api' | 'worker' | 'all';

/**
 * Everything a process needs, parsed once at start-up from the environment. The parsers
 * of the parts (worker, backend, connectors) stay the authorities on their variables;
 * this module only adds the few that belong to the composition (PUBLIC_URL, HOST,
 * SPM_CONSOLE_DIR) and reports every problem of every part in one error.
 */
export interface AppConfig {
  readonly worker: WorkerEnv;
  readonly backend: BackendConfig;
  readonly cipher: TokenCipher;
  /** Where browsers and the CRMs reach this deployment (OAuth callbacks, webhooks). */
  readonly publicUrl: string;
  readonly host: string;
  readonly consoleDir: string;
  readonly hubspot: HubspotConfig | undefined;
  readonly salesforce: SalesforceConfig | undefined;
}

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const AppEnvSchema = z.object({
  PUBLIC_URL: z.preprocess(
    blank,
    z
      .string()
      .refine((s) => /^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(s), { message: 'must be the origin browsers and the CRMs use to reach this server, e.g. https://spm.example.com (no path)' })
      .optional(),
  ),
  HOST: z.preprocess((v) => blank(v) ?? '0.0.0.0', z.string().min(1)),
  SPM_CONSOLE_DIR: z.preprocess((v) => blank(v) ?? 'extension/console/dist', z.string().min(1)),
});

export class AppConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment (see docs/deploy.md for every variable and its default) and start again.`);
    this.name = 'AppConfigError';
  }
}

/** The routes the connectors are mounted at (their OAuth callbacks are derived from PUBLIC_URL). */
export const CRM_PATHS = {
  hubspotBase: '/hubspot',
  hubspotInstall: '/hubspot/install',
  hubspotCallback: '/hubspot/oauth/callback',
  hubspotWebhooks: '/hubspot/webhooks',
  salesforceBase: '/oauth/salesforce',
  salesforceConnect: '/oauth/salesforce/connect',
  salesforceCallback: '/oauth/salesforce/callback',
} as const;

/**
 * Reads the whole configuration for a process role. The worker needs no session secret
 * and no public URL; the API needs no Redis. A CRM is configured when its client id is
 * set, and then all of its variables are checked. At least one CRM must be configured.
 */
export function loadAppConfig(env: Env, role: ProcessRole): AppConfig {
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (err instanceof WorkerEnvError || err instanceof ConfigError || err instanceof AppConfigError) problems.push(...err.problems);
      else if (err instanceof HubspotConfigError) problems.push(...err.issues);
      else problems.push(...(err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.replace(/^\s*-\s*/, '')).filter((l) => l !== '' && !/is misconfigured:$/.test(l)));
      return undefined;
    }
  };

  const app = AppEnvSchema.safeParse(env);
  if (!app.success) for (const issue of app.error.issues) problems.push(`${String(issue.path[0])} ${issue.message}`);
  const worker = attempt(() => parseWorkerEnv(env as NodeJS.ProcessEnv));
  // The worker never serves cards, but the backend's settings are cheap to default there.
  const backend = attempt(() => loadConfig(role === 'worker' ? { SESSION_SECRET: env['SESSION_SECRET'] || 'unused-by-the-worker-process-0123456789', ...withoutBlank(env, ['SESSION_SECRET']) } : env));
  const cipher = attempt(() => TokenCipher.fromEnvironment(env));

  const port = backend?.port ?? 3000;
  const publicUrl = (app.success ? app.data.PUBLIC_URL : undefined)?.replace(/\/+$/, '') ?? `http://localhost:${port}`;
  const hubspot = env['HUBSPOT_CLIENT_ID']
    ? attempt(() => hubspotConfigFromEnv({ HUBSPOT_REDIRECT_URI: `${publicUrl}${CRM_PATHS.hubspotCallback}`, ...withoutBlank(env) }))
    : undefined;
  const salesforce = env['SALESFORCE_CLIENT_ID']
    ? attempt(() => parseSalesforceConfig({ SALESFORCE_REDIRECT_URI: `${publicUrl}${CRM_PATHS.salesforceCallback}`, ...withoutBlank(env) }))
    : undefined;
  if (!env['HUBSPOT_CLIENT_ID'] && !env['SALESFORCE_CLIENT_ID']) {
    problems.push('no CRM is configured: set HUBSPOT_CLIENT_ID (with HUBSPOT_CLIENT_SECRET and HUBSPOT_APP_ID) and/or SALESFORCE_CLIENT_ID (with SALESFORCE_CLIENT_SECRET) from your app\'s settings — or run `spm start` with no configuration at all for the local demo');
  }
  if (role !== 'all') {
    // PGlite lives inside one process and in-process jobs in its memory: separate API and worker processes must share real services.
    if (!env['DATABASE_URL']) problems.push(`DATABASE_URL is not set: \`spm ${role === 'api' ? 'serve' : 'worker'}\` shares the database with the other processes, so it needs PostgreSQL (postgres://user:password@host:5432/spm); use \`spm start\` to run everything in one process on the embedded database`);
    if (!env['REDIS_URL']) problems.push(`REDIS_URL is not set: \`spm ${role === 'api' ? 'serve' : 'worker'}\` hands jobs to the other processes through Redis (redis://host:6379); use \`spm start\` to run jobs in-process`);
  }
  if (problems.length > 0 || !worker || !backend || !cipher || !app.success) throw new AppConfigError(onePerVariable(problems));
  return { worker, backend, cipher, publicUrl, host: app.data.HOST, consoleDir: app.data.SPM_CONSOLE_DIR, hubspot, salesforce };
}

/** Two parsers may check the same variable (the backend and the HubSpot connector both read HUBSPOT_APP_ID): report it once. */
function onePerVariable(problems: readonly string[]): string[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const name = /^[A-Z][A-Z0-9_]+/.exec(p)?.[0] ?? p;
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

function withoutBlank(env: Env, drop: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '' && !drop.includes(k)) out[k] = v;
  return out;
}
