/**
 * Dev entry point: `npx tsx sandboxes/hubspot/main.ts [--data file.json | --reps 20 --deals 2000 --seed 1 --year 2026 --activities 2] [--port 4010]`.
 * Prints the base URL and a ready access token (client id/secret from HUBSPOT_SANDBOX_CLIENT_ID/_SECRET or dev defaults).
 */
import { parseArgs } from 'node:util';
import type { PortalSource } from '../portal-seed/index.js';
import { startHubspotSandbox } from './index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    reps: { type: 'string', default: '20' },
    deals: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    year: { type: 'string', default: String(new Date().getUTCFullYear()) },
    activities: { type: 'string', default: '2' },
    port: { type: 'string', default: '4010' },
    'token-ttl': { type: 'string', default: '1800' },
  },
});

const source: PortalSource = values.data
  ? { kind: 'file', path: values.data }
  : { kind: 'synthetic', options: { seed: Number(values.seed), reps: Number(values.reps), deals: Number(values.deals), year: Number(values.year), activitiesPerDeal: Number(values.activities) } };

const sandbox = await startHubspotSandbox({
  portal: source,
  port: Number(values.port),
  clientId: process.env['HUBSPOT_SANDBOX_CLIENT_ID'] ?? 'sandbox-client-id',
  clientSecret: process.env['HUBSPOT_SANDBOX_CLIENT_SECRET'] ?? 'sandbox-client-secret',
  tokenTtlSeconds: Number(values['token-ttl']),
});
const tokens = sandbox.oauth.issueTokens();
process.stdout.write(
  `${JSON.stringify({ url: sandbox.url, portalId: sandbox.portalId, appId: sandbox.appId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, deals: sandbox.portal.deals.size }, null, 2)}\n`,
);
const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
