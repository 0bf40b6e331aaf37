import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppConfigError, loadAppConfig } from '../../app/config.js';
import { isDemo } from '../../app/demo/run-demo.js';

/** Start-up configuration: every problem is named with its fix, at once, before anything starts. */
const KEY = randomBytes(32).toString('base64');
const SECRET = 'x'.repeat(40);
const REAL = {
  DATABASE_URL: 'postgres://spm:pw@db.internal:5432/spm',
  REDIS_URL: 'redis://redis.internal:6379',
  TOKEN_ENCRYPTION_KEY: KEY,
  SESSION_SECRET: SECRET,
  PUBLIC_URL: 'https://spm.example.com',
  HUBSPOT_CLIENT_ID: 'hs-client',
  HUBSPOT_CLIENT_SECRET: 'hs-secret',
  HUBSPOT_APP_ID: '123456',
  SALESFORCE_CLIENT_ID: 'sf-client',
  SALESFORCE_CLIENT_SECRET: 'sf-secret',
};

function problems(env: Record<string, string | undefined>, role: 'api' | 'worker' | 'all'): string[] {
  try {
    loadAppConfig(env, role);
  } catch (err) {
    if (err instanceof AppConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('start-up configuration', () => {
  it('accepts a complete production environment and derives the OAuth callbacks from PUBLIC_URL', () => {
    const config = loadAppConfig(REAL, 'api');
    expect(config.hubspot?.redirectUri).toBe('https://spm.example.com/hubspot/oauth/callback');
    expect(config.salesforce?.redirectUri).toBe('https://spm.example.com/oauth/salesforce/callback');
    expect(config.hubspot?.apiBase).toBe('https://api.hubapi.com');
    expect(config.worker.QUEUE_PREFIX).toBe('spm');
    expect(config.backend.port).toBe(3000);
  });

  it('names every missing or malformed variable with its fix, in one error', () => {
    const found = problems({ ...REAL, DATABASE_URL: 'mysql://db/spm', TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=', SESSION_SECRET: 'short', HUBSPOT_APP_ID: 'my-app', REDIS_URL: undefined }, 'api');
    expect(found.join('\n')).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(found.join('\n')).toMatch(/TOKEN_ENCRYPTION_KEY must be 32 bytes of base64.*openssl rand -base64 32/);
    expect(found.join('\n')).toMatch(/SESSION_SECRET.*at least 32 characters.*openssl rand/);
    expect(found.join('\n')).toMatch(/HUBSPOT_APP_ID:? must be the numeric/);
    expect(found.join('\n')).toMatch(/REDIS_URL is not set: `spm serve`/);
    expect(found).toHaveLength(5);
  });

  it('refuses to start with no CRM configured, and says how to get the demo instead', () => {
    const { HUBSPOT_CLIENT_ID: _h, SALESFORCE_CLIENT_ID: _s, ...noCrm } = REAL;
    expect(problems(noCrm, 'worker')).toEqual([expect.stringMatching(/no CRM is configured: set HUBSPOT_CLIENT_ID .* or run `spm start` with no configuration/)]);
  });

  it('lets `spm start` run on the embedded database and in-process jobs, but not `spm serve` or `spm worker`', () => {
    const { DATABASE_URL: _d, REDIS_URL: _r, ...single } = REAL;
    expect(problems(single, 'all')).toEqual([]);
    expect(problems(single, 'worker').map((p) => p.split(':')[0])).toEqual(['DATABASE_URL is not set', 'REDIS_URL is not set']);
  });

  it('is the demo only when none of the deployment variables is set', () => {
    expect(isDemo({ PORT: '8080', LOG_LEVEL: 'debug' })).toBe(true);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'HUBSPOT_CLIENT_ID', 'SALESFORCE_CLIENT_ID', 'TOKEN_ENCRYPTION_KEY', 'SESSION_SECRET']) expect(isDemo({ [name]: 'set' })).toBe(false);
  });
});
