/**
 * Runs the Salesforce sandbox for local development:
 *   npx tsx sandboxes/salesforce/main.ts [--port 4010] [--data examples/data/acme.json | --reps 20 --deals 500 --seed 1 --year 2026]
 * Prints the instance URL, the client credentials to configure and a ready access token.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seedOrgFromDataset, seedOrgFromSynthetic } from './seed.js';
import { startSalesforceSandbox } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    data: { type: 'string' },
    seed: { type: 'string', default: '1' },
    reps: { type: 'string', default: '20' },
    deals: { type: 'string', default: '500' },
    year: { type: 'string', default: String(new Date().getUTCFullYear()) },
    activities: { type: 'string', default: '2' },
    'rotate-refresh-tokens': { type: 'boolean', default: false },
    'token-ttl': { type: 'string', default: '7200' },
  },
});

const seeded = values.data
  ? seedOrgFromDataset(JSON.parse(readFileSync(values.data, 'utf8')))
  : seedOrgFromSynthetic({ seed: Number(values.seed), reps: Number(values.reps), deals: Number(values.deals), year: Number(values.year), activitiesPerDeal: Number(values.activities) });
const clientId = process.env['SF_SANDBOX_CLIENT_ID'] ?? 'sandbox-client-id';
const clientSecret = process.env['SF_SANDBOX_CLIENT_SECRET'] ?? 'sandbox-client-secret';
const sandbox = await startSalesforceSandbox({
  org: seeded, port: Number(values.port), clientId, clientSecret,
  rotateRefreshTokens: values['rotate-refresh-tokens'], tokenTtlSeconds: Number(values['token-ttl']),
});
const session = sandbox.issueSession();
process.stdout.write(
  `Salesforce sandbox for org ${sandbox.orgId} at ${sandbox.url}\n` +
    `  loginUrl/instanceUrl: ${sandbox.url}\n  clientId: ${clientId}\n  accessToken: ${session.accessToken}\n  refreshToken: ${session.refreshToken}\n` +
    `  ${seeded.org.table('Opportunity').rows.length} opportunities, ${seeded.org.table('User').rows.length} users; ${seeded.warnings.length} seed warnings\n`,
);
for (const w of seeded.warnings.slice(0, 20)) process.stdout.write(`  warning: ${w}\n`);
const stop = (): void => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
