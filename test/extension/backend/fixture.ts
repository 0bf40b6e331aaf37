import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { coachingPrompts } from '../../../shared/src/coaching/coaching-prompts.js';
import type { UserId } from '../../../shared/src/domain/ids.js';
import { indexTenant } from '../../../shared/src/engine/tenant-index.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { resolvePeriod } from '../../../shared/src/time/period.js';
import { savePrompts } from '../../../worker/src/coaching/coaching-store.js';
import type { Db } from '../../../worker/src/db/database.js';
import { importDataset } from '../../../worker/src/db/import-dataset.js';
import { loadPlans, savePlanVersion } from '../../../worker/src/db/plans.js';
import type { Enqueue } from '../../../worker/src/queues/handler-registry.js';
import { recompute } from '../../../worker/src/recompute/recompute.js';
import { TokenCipher } from '../../../worker/src/secrets/token-cipher.js';
import { createApp, type CardApiApp } from '../../../extension/backend/src/app.js';
import { loadConfig, type BackendConfig } from '../../../extension/backend/src/config.js';
import { signV3 } from '../../../connectors/hubspot/signature-v3.js';
import { dataset, open, won } from '../../support/tenant-builder.js';

/**
 * The worked example every card test reads (all USD, quarter 2026-Q3, today 2026-08-15):
 *
 *   mia manages ana and ben (team "east"); zed manages cal.
 *   Plan "ae" pays ana and ben on revenue, marginal tiers against a 100,000 quarterly quota:
 *     0–50 % at 2 %, 50–100 % at 5 %, above 100 % at 8 %.
 *   ana: d1 won 40,000 on Jul 10; d2 open 30,000 expected Sep 10 (Proposal, probability 0.6).
 *   ben: b1 won 60,000 on Jul 20; b2 lost 20,000 on Aug 1.
 *   cal: c1 won 10,000 on Jul 5 (cal is on no plan).
 *
 * A statement run (recompute) as of 2026-08-15 writes the ledger the cards read.
 */
export const TODAY = '2026-08-15' as IsoDate;
export const NOW = new Date('2026-08-15T12:00:00.000Z');
export const HUBSPOT_SECRET = 'test-hubspot-client-secret';
export const SESSION_SECRET = 'test-session-secret-0123456789-abcdefghijkl';
export const PORTAL = '111';
export const TENANT = `hs-${PORTAL}`;
export const OTHER_PORTAL = '222';
export const SF_ORG = '00D000000000001AAA';
export const SF_TENANT = `sf-${SF_ORG}`;
export const SF_REP = '005000000000001AAA';
export const SF_OTHER_REP = '005000000000002AAA';

const TIERS = [{ upTo: '50', rate: '0.02' }, { upTo: '100', rate: '0.05' }, { rate: '0.08' }];

function planDocument(payees: string[]) {
  return { id: 'ae', version: 1, name: 'AE', effective: { from: '2026-01-01' }, period: 'quarter', currency: 'USD', payees: payees.map((user) => ({ user })), components: [{ id: 'nb', type: 'commission', tiers: { mode: 'marginal', table: TIERS } }] };
}

export async function seedMainTenant(db: Db): Promise<void> {
  const data = dataset({
    tenant: { id: TENANT, name: 'Acme', currency: 'USD' },
    users: [
      { id: 'mia', name: 'Mia Manager', email: 'mia@acme.test' },
      { id: 'ana', name: 'Ana Rep', email: 'Ana@Acme.test' },
      { id: 'ben', name: 'Ben Rep', email: 'ben@acme.test' },
      { id: 'zed', name: 'Zed Manager', email: 'zed@acme.test' },
      { id: 'cal', name: 'Cal Rep', email: 'cal@acme.test' },
      { id: 'ada', name: 'Ada Admin', email: 'ada@acme.test' },
    ],
    managers: [
      { userId: 'ana', managerId: 'mia', from: '2026-01-01' },
      { userId: 'ben', managerId: 'mia', from: '2026-01-01' },
      { userId: 'cal', managerId: 'zed', from: '2026-01-01' },
    ],
    teams: [{ id: 'east', name: 'East', managerId: 'mia', members: ['ana', 'ben'] }],
    deals: [
      won('d1', 'ana', '40000', '2026-07-10'),
      open('d2', 'ana', '30000', '2026-09-10'),
      won('b1', 'ben', '60000', '2026-07-20'),
      won('b2', 'ben', '20000', '2026-08-01', { stageId: 'lost' }),
      won('c1', 'cal', '10000', '2026-07-05'),
    ],
    quotas: [
      { id: 'q-ana', userId: 'ana', period: '2026-Q3', target: '100000' },
      { id: 'q-ben', userId: 'ben', period: '2026-Q3', target: '100000' },
    ],
  });
  await importDataset(db, data, { source: 'hubspot', externalId: PORTAL, modifiedAt: '2026-08-15T00:00:00Z', actor: 'test' });
  await savePlanVersion(db, TENANT, planDocument(['ana', 'ben']), 'test');
  await db.insertInto('tenant_roles').values({ tenant_id: TENANT, user_id: 'ada', role: 'admin', granted_by: 'test' }).execute();
  await recompute(db, { tenantId: TENANT, asOf: TODAY, trigger: 'test' });
  const plans = await loadPlans(db, TENANT);
  const period = resolvePeriod('2026-Q3')!;
  const prompts = coachingPrompts({ plans, data, index: indexTenant(data), managerId: 'mia' as UserId, period, asOf: TODAY });
  await savePrompts(db, TENANT, 'mia', period.id, prompts);
}

/** A second HubSpot portal, whose ids must never be reachable from the first. */
export async function seedOtherTenant(db: Db): Promise<void> {
  const data = dataset({
    tenant: { id: `hs-${OTHER_PORTAL}`, name: 'Globex', currency: 'USD' },
    users: [{ id: 'oli', name: 'Oli Other', email: 'oli@globex.test' }],
    deals: [won('x1', 'oli', '99000', '2026-07-10')],
    quotas: [{ id: 'q-oli', userId: 'oli', period: '2026-Q3', target: '100000' }],
  });
  await importDataset(db, data, { source: 'hubspot', externalId: OTHER_PORTAL, modifiedAt: '2026-08-15T00:00:00Z', actor: 'test' });
  await savePlanVersion(db, `hs-${OTHER_PORTAL}`, planDocument(['oli']), 'test');
  await recompute(db, { tenantId: `hs-${OTHER_PORTAL}`, asOf: TODAY, trigger: 'test' });
}

/** A Salesforce org: canonical users are Salesforce User Ids. */
export async function seedSalesforceTenant(db: Db): Promise<void> {
  const data = dataset({
    tenant: { id: SF_TENANT, name: 'Initech', currency: 'USD' },
    users: [
      { id: SF_REP, name: 'Sally Rep' },
      { id: SF_OTHER_REP, name: 'Sam Rep' },
    ],
    deals: [won('006000000000001AAA', SF_REP, '50000', '2026-07-10'), won('006000000000002AAA', SF_OTHER_REP, '20000', '2026-07-11')],
    quotas: [
      { id: 'q1', userId: SF_REP, period: '2026-Q3', target: '100000' },
      { id: 'q2', userId: SF_OTHER_REP, period: '2026-Q3', target: '100000' },
    ],
  });
  await importDataset(db, data, { source: 'salesforce', externalId: SF_ORG, modifiedAt: '2026-08-15T00:00:00Z', actor: 'test' });
  await savePlanVersion(db, SF_TENANT, planDocument([SF_REP, SF_OTHER_REP]), 'test');
  await recompute(db, { tenantId: SF_TENANT, asOf: TODAY, trigger: 'test' });
}

export interface EnqueuedJob {
  readonly family: string;
  readonly name: string;
  readonly payload: unknown;
}

export function testConfig(overrides: Record<string, string> = {}): BackendConfig {
  return loadConfig({ SESSION_SECRET, HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET, CARD_API_TRUST_PROXY: 'true', SESSION_COOKIE_SECURE: 'false', CARD_CACHE_CHECK_MS: '0', ...overrides });
}

export interface RunningApp {
  readonly app: CardApiApp;
  readonly server: Server;
  readonly enqueued: EnqueuedJob[];
  close(): Promise<void>;
}

export async function startApp(db: Db, config: BackendConfig = testConfig()): Promise<RunningApp> {
  const enqueued: EnqueuedJob[] = [];
  const enqueue = (async (family: string, name: string, payload: unknown) => {
    enqueued.push({ family, name, payload });
    return { jobId: `${family}/${name}/${JSON.stringify(payload)}` };
  }) as Enqueue;
  const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
  const app = createApp({ db, enqueue, cipher, config, logger: pino({ level: 'silent' }), clock: () => NOW });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { app, server, enqueued, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function baseUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The public URL HubSpot would call (behind our TLS proxy) and sign. */
export const PUBLIC_ORIGIN = 'https://cards.example.com';

export interface HubSpotCall {
  readonly path: string;
  readonly headers: Record<string, string>;
}

/**
 * Builds a hubspot.fetch request as HubSpot sends it: portalId, userId, userEmail and
 * appId appended to the URL, signed (v3) over the public https URL, the raw body and the timestamp.
 */
export function hubspotCall(method: string, pathWithQuery: string, user: { email: string; portalId?: string }, options: { body?: string; timestamp?: number; secret?: string } = {}): HubSpotCall {
  const sep = pathWithQuery.includes('?') ? '&' : '?';
  const path = `${pathWithQuery}${sep}portalId=${user.portalId ?? PORTAL}&userId=9001&userEmail=${encodeURIComponent(user.email)}&appId=77`;
  const timestamp = String(options.timestamp ?? NOW.getTime());
  const signature = signV3(options.secret ?? HUBSPOT_SECRET, method, `${PUBLIC_ORIGIN}${path}`, options.body ?? '', timestamp);
  return { path, headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cards.example.com' } };
}
