import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotConfigFromEnv } from '../../connectors/hubspot/config.js';
import { createHubspotRoutes } from '../../connectors/hubspot/http-routes.js';
import { startHubspotSandbox, type HubspotSandbox } from '../../sandboxes/hubspot/index.js';
import { createAdminRouter } from '../../extension/backend/src/admin/admin-router.js';
import { createApp } from '../../extension/backend/src/app.js';
import { encodeSession, SESSION_COOKIE } from '../../extension/backend/src/auth/session.js';
import { loadConfig } from '../../extension/backend/src/config.js';
import { createLogger } from '../../worker/src/observability/logger.js';
import { createWorkerMetrics } from '../../worker/src/observability/metrics.js';
import { createJobRunner, type JobRunner } from '../../worker/src/runtime/job-runner.js';
import { commitPage, recordSyncFailure } from '../../worker/src/db/sync-cursors.js';
import { TokenCipher } from '../../worker/src/secrets/token-cipher.js';
import { createServerDatabase, type TestDatabase } from '../support/databases.js';
import { seedAcme, TENANT, TODAY } from '../extension/console/admin-fixture.js';

/**
 * The admin console in headless Chromium against the real backend (createApp with the
 * admin router and the built console) on an ephemeral port, on real PostgreSQL seeded with
 * the example tenant. The console is built here (vite build into a temporary directory),
 * so the test always exercises the current source. Screenshots go to test-artifacts/console/.
 *
 * "Connect HubSpot" runs the real install (connectors/hubspot routes mounted at /hubspot)
 * against the local HubSpot sandbox, whose authorize page grants consent at once.
 */
const ROOT = join(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-artifacts/console');
const SESSION_SECRET = 'browser-test-session-secret-0123456789abcdef';
const NOW = new Date(`${TODAY}T12:00:00Z`);

let t: TestDatabase;
let runner: JobRunner;
let server: Server;
let browser: Browser;
let page: Page;
let base: string;
let consoleDir: string;
let hubspot: HubspotSandbox;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function open(section: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: section, exact: true }).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
}

/** Every form control has a label a screen reader announces, and nothing scrolls sideways at 1366 px. */
async function checkAccessible(): Promise<void> {
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')].filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
  );
  expect(unlabeled).toEqual([]);
  expect(await page.evaluate(() => document.querySelectorAll('h1').length)).toBe(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
}

/**
 * Holds the console's POSTs to a path in the browser until `release()`, counting them, so a
 * test can look at the page while its request is in flight. `release()` lets every held POST
 * through (one arriving later passes at once), waits until each is answered, and takes the
 * interception away.
 */
async function holdPosts(path: RegExp): Promise<{ readonly count: () => number; readonly release: () => Promise<void> }> {
  const held: Route[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const matches = (url: URL): boolean => path.test(url.pathname);
  await page.route(matches, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    held.push(route);
    await gate;
    await route.continue();
  });
  return {
    count: () => held.length,
    release: async () => {
      open();
      for (let answered = 0; answered < held.length; ) {
        const sent = held.length;
        await Promise.all(held.map((route) => route.request().response()));
        answered = sent;
      }
      await page.unroute(matches);
    },
  };
}

beforeAll(async () => {
  consoleDir = mkdtempSync(join(tmpdir(), 'spm-console-'));
  mkdirSync(SHOTS, { recursive: true });
  const built = build({ configFile: join(ROOT, 'extension/console/vite.config.ts'), logLevel: 'error', build: { outDir: consoleDir, emptyOutDir: true, sourcemap: false } });
  t = await createServerDatabase();
  await seedAcme(t.db);
  await built;
  const logger = createLogger({ level: 'silent' });
  runner = createJobRunner({ deps: { db: t.db, clock: { now: () => NOW }, metrics: createWorkerMetrics({ defaultMetrics: false }) }, logger });
  // The port is needed before the app is built: it is HubSpot's redirect URI.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hubspot = await startHubspotSandbox({ portal: JSON.parse(readFileSync(join(ROOT, 'examples/data/acme.json'), 'utf8')) as never, clientId: 'console-test-client', clientSecret: 'console-test-secret', now: NOW.getTime() });
  const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') });
  const hubspotConfig = hubspotConfigFromEnv({
    HUBSPOT_CLIENT_ID: 'console-test-client',
    HUBSPOT_CLIENT_SECRET: 'console-test-secret',
    HUBSPOT_APP_ID: String(hubspot.appId),
    HUBSPOT_REDIRECT_URI: `${base}/hubspot/oauth/callback`,
    HUBSPOT_API_BASE: hubspot.url,
    HUBSPOT_AUTHORIZE_URL: `${hubspot.url}/oauth/authorize`,
  });
  const crm = express.Router();
  crm.use('/hubspot', createHubspotRoutes({ db: t.db, cipher, config: hubspotConfig, enqueue: runner.enqueue, logger, now: () => NOW.getTime() }));
  const app = createApp({
    db: t.db,
    enqueue: runner.enqueue,
    cipher,
    config: loadConfig({ SESSION_SECRET, SESSION_COOKIE_SECURE: 'false' }),
    logger,
    clock: () => NOW,
    crmRouters: [crm],
    adminRouter: createAdminRouter({ db: t.db, today: () => TODAY, logger, jobs: runner }),
    consoleDir,
  });
  server.on('request', app);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  // What the CRM login callback does: a signed admin session cookie for Mia.
  const session = encodeSession({ tenantId: TENANT, userId: 'mia', roles: ['admin'], exp: NOW.getTime() + 3_600_000 }, SESSION_SECRET);
  await context.addCookies([{ name: SESSION_COOKIE, value: session, url: base, httpOnly: true }]);
  page = await context.newPage();
  await page.goto(`${base}/console/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await hubspot?.close();
  await runner?.close();
  await t?.drop();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

describe('admin console', () => {
  it('connects HubSpot through the install route and comes back to the console', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Connect your CRM');
    await page.getByText('Acme Analytics Inc.').waitFor();
    expect(await page.getByRole('link', { name: 'Connect Salesforce' }).getAttribute('href')).toBe('/oauth/salesforce/connect?returnTo=%2Fconsole%2F%23%2Fconnect');
    await checkAccessible();
    await shot('01-connect');
    // Install → the sandbox's consent page (granted at once) → /hubspot/oauth/callback → back here.
    await page.getByRole('link', { name: 'Connect HubSpot' }).click();
    await page.waitForURL(`${base}/console/#/connect`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Connect your CRM');
    const installed = await t.db.selectFrom('crm_connections').select(['tenant_id', 'status']).where('source', '=', 'hubspot').execute();
    expect(installed).toEqual([{ tenant_id: `hs-${hubspot.portalId}`, status: 'connected' }]);
  });

  it('marks a draft error on its line, then simulates and publishes the fixed draft', async () => {
    await open('Plans');
    await page.getByLabel('Plan', { exact: true }).selectOption('account-executive');
    const editor = page.getByLabel('Plan document (YAML)');
    const draft = (await editor.inputValue()).replace('rate: "0.03"', 'rate: 0.04');
    expect(draft).toContain('version: 2');
    await editor.fill(draft);
    await page.getByRole('button', { name: 'Validate' }).click();
    const problem = page.locator('#plan-issues li');
    await problem.first().waitFor();
    expect(await problem.textContent()).toMatch(/components\[2\]\.rate: 0\.04 is a floating-point number.*Fix: write it as a string/);
    const line = Number((await problem.getByRole('button').textContent())!.replace('Line ', ''));
    expect(await page.locator('.gutter .mark').textContent()).toBe(`⚠ ${line}`);
    await problem.getByRole('button').click();
    // "Go to line" puts the caret on the offending line.
    expect(await editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd))).toMatch(/rate: 0\.04/);
    await checkAccessible();
    await shot('02-plan-error-in-place');

    await editor.fill(draft.replace('rate: 0.04', 'rate: "0.04"'));
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Simulate' }).click();
    const table = page.getByRole('table', { name: 'Statement totals per payee, published plan vs draft' });
    await table.waitFor();
    // Last closed quarter (2026-Q3): renewals at 4 % instead of 3 %: Ana's 40,000 renewal pays 400 more.
    expect(await page.getByRole('heading', { level: 2, name: /Simulation on 2026-Q3/ }).count()).toBe(1);
    expect(await table.getByRole('row', { name: /Ana Alvarez/ }).textContent()).toContain('+USD 400.00');
    await shot('03-plan-simulated');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Published account-executive version 2' }).waitFor();
    await shot('04-plan-published');
  });

  it('imports nothing from a quota file with one bad row and lists that row', async () => {
    await open('Quotas');
    await page.getByLabel('Quotas CSV file').setInputFiles({ name: 'quotas-2027-q1.csv', mimeType: 'text/csv', buffer: Buffer.from('id,userId,period,target\nana-2027-q1,ana,2027-Q1,230000\nben-2027-q1,bne,2027-Q1,240000\n') });
    await page.getByRole('button', { name: 'Import quotas' }).click();
    const rows = page.getByRole('table', { name: 'Rows to fix' }).getByRole('row');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain('unknown user "bne"');
    expect(await page.getByRole('alert').first().textContent()).toContain('Nothing was imported');
    expect(await page.getByRole('table', { name: /quota version\(s\)/ }).textContent()).not.toContain('ana-2027-q1');
    await checkAccessible();
    await shot('05-quotas-bad-row');
  });

  it('calculates, approves and locks Q2', async () => {
    await open('Periods');
    const q2 = page.getByRole('row', { name: /^2026-Q2/ });
    await q2.getByRole('button', { name: 'Calculate 2026-Q2' }).click();
    await page.getByRole('status').filter({ hasText: '2026-Q2 calculated' }).waitFor();
    await q2.getByRole('button', { name: 'Approve 2026-Q2' }).click();
    await page.getByRole('status').filter({ hasText: '2026-Q2 approved' }).waitFor();
    // By keyboard: Enter asks for confirmation, and focus stays on the button, which now confirms.
    await q2.getByRole('button', { name: 'Lock 2026-Q2…' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm: lock 2026-Q2 for good');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '2026-Q2 locked: 10 statement(s)' }).waitFor();
    await q2.getByText('locked', { exact: true }).waitFor();
    expect(await q2.getByRole('button').count()).toBe(0);
    await checkAccessible();
    await shot('06-period-locked');
  });

  it("opens Ana's statement and a dispute on one of its lines", async () => {
    await open('Statements');
    await page.getByLabel('Period').selectOption('2026-Q2');
    await page.getByRole('link', { name: 'Open statement of Ana Alvarez' }).click();
    const lines = page.getByRole('table', { name: 'Payout lines of Ana Alvarez' });
    await lines.waitFor();
    // v2 is effective from January, so Q2 was calculated with renewals at 4 %: 1,800 + 500 + 5,600 + 1,800 + 1,000.
    expect(await page.getByRole('heading', { level: 2, name: /Ana Alvarez · 2026-Q2/ }).textContent()).toContain('USD 10,700.00');
    expect(await lines.getByRole('row', { name: /q2-01/ }).first().textContent()).toContain('USD 45,000.00 at 4 % (tier 1) = USD 1,800.00');
    await page.getByRole('button', { name: 'Dispute commission line for q2-01' }).click();
    await page.getByLabel('Claimed deal amount (USD)').fill('55000');
    await page.getByLabel('What the rep says').fill('The signed order form says 55,000.');
    await page.getByRole('button', { name: 'Open dispute' }).click();
    // 10,000 more at 4 % on the line and 4 % more in the true-up that re-rates it to 8 %: +800.
    await page.getByRole('status').filter({ hasText: '+USD 800.00' }).waitFor();
    await checkAccessible();
    await shot('07-statement-dispute');
    await open('Disputes');
    await page.getByLabel('Resolution').fill('Amount corrected in the CRM');
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('accepted by mia: Amount corrected in the CRM').waitFor();
    await shot('08-dispute-accepted');
  });

  it('opens one dispute on a double click of "Open dispute", whose button is disabled while it runs', async () => {
    await open('Statements');
    await page.getByLabel('Period').selectOption('2026-Q2');
    await page.getByRole('link', { name: 'Open statement of Ana Alvarez' }).click();
    await page.getByRole('button', { name: 'Dispute commission line for q2-02' }).click();
    await page.getByLabel('Claimed deal amount (USD)').fill('72000');
    await page.getByLabel('What the rep says').fill('The order form says 72,000.');
    const posts = await holdPosts(/^\/api\/admin\/disputes$/);
    const submit = page.getByRole('button', { name: 'Open dispute' });
    await submit.dblclick();
    await expect.poll(posts.count).toBeGreaterThan(0);
    // The first request is held: the button that sent it is disabled until it is answered.
    const disabledInFlight = await submit.isDisabled();
    await posts.release();
    await page.getByRole('status').filter({ hasText: 'Dispute opened' }).waitFor();
    const opened = await t.db.selectFrom('disputes').select('id').where('tenant_id', '=', TENANT).where('note', '=', 'The order form says 72,000.').execute();
    expect({ disabledInFlight, posts: posts.count(), disputes: opened.length }).toEqual({ disabledInFlight: true, posts: 1, disputes: 1 });
    expect(await submit.isEnabled()).toBe(true);
  });

  it('accepts a dispute once on a double click of "Accept", whose button is disabled while it runs', async () => {
    await open('Disputes');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Accept' }) });
    expect(await card.getByRole('heading', { level: 2 }).textContent()).toMatch(/^ana · 2026-Q2 · deal q2-02 open$/);
    await card.getByLabel('Resolution').fill('Amount confirmed in the CRM');
    const posts = await holdPosts(/^\/api\/admin\/disputes\/[^/]+\/decision$/);
    const accept = card.getByRole('button', { name: 'Accept' });
    await accept.dblclick();
    await expect.poll(posts.count).toBeGreaterThan(0);
    const disabledInFlight = { accept: await accept.isDisabled(), reject: await card.getByRole('button', { name: 'Reject' }).isDisabled() };
    await posts.release();
    const decided = page.getByRole('listitem').filter({ hasText: 'accepted by mia: Amount confirmed in the CRM' });
    await decided.waitFor();
    const id = (await t.db.selectFrom('disputes').select('id').where('tenant_id', '=', TENANT).where('resolution', '=', 'Amount confirmed in the CRM').executeTakeFirstOrThrow()).id;
    const audit = await t.db.selectFrom('audit_log').select('action').where('tenant_id', '=', TENANT).where('target', '=', id).where('action', 'like', 'dispute.%').orderBy('action').execute();
    // No second decision reached the server, so no "already accepted" refusal is on the card.
    const problems = await decided.getByRole('alert').allTextContents();
    expect({ disabledInFlight, posts: posts.count(), audit: audit.map((a) => a.action), problems }).toEqual({
      disabledInFlight: { accept: true, reject: true },
      posts: 1,
      audit: ['dispute.accepted', 'dispute.opened'],
      problems: [],
    });
  });

  it('downloads the payroll CSV of the locked period', async () => {
    await open('Payroll export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download payroll CSV for 2026-Q2' }).click()]);
    expect(download.suggestedFilename()).toBe('payroll-2026-Q2.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('payee_id,payee_name,period,currency,amount,line_count');
    expect(csv).toContain('\r\nana,Ana Alvarez,2026-Q2,USD,10700.00,5\r\n');
    await checkAccessible();
    await shot('09-payroll');
  });

  it('shows queue health', async () => {
    await open('Queue health');
    await page.getByText('healthy').waitFor();
    expect(await page.getByRole('table', { name: 'Jobs per queue and state' }).getByRole('row').count()).toBe(5);
    await shot('10-queue');
  });

  it("lists each CRM object's sync state on the Connect page, with a failing one's recorded error in full", async () => {
    // What the worker records: a page of deals committed (its cursor moved), and owners given up on.
    await commitPage(t.db, TENANT, 'hubspot', 'deals', { phase: 'incremental', cursor: { after: '2026-10-15T00:00:00Z' } }, async () => undefined);
    const reason = 'HubSpot answered 403 MISSING_SCOPES for crm.objects.owners.read: reconnect HubSpot from this page and grant the owners scope, then the next sync reads them';
    await recordSyncFailure(t.db, TENANT, 'hubspot', 'owners', reason);
    await open('Connect CRM');
    const table = page.getByRole('table', { name: 'HubSpot sync status' });
    await table.waitFor();
    const rows = table.getByRole('row');
    expect(await rows.count()).toBe(3);
    const deals = await table.getByRole('row', { name: /^deals/ }).textContent();
    expect(deals).toContain('up to date');
    expect(deals).not.toContain('never');
    const owners = await table.getByRole('row', { name: /^owners/ }).textContent();
    expect(owners).toContain('failing');
    expect(owners).toContain('never');
    expect(owners).toContain(reason);
    expect(await page.getByRole('table', { name: 'Salesforce sync status' }).count()).toBe(0);
    await checkAccessible();
    await shot('11-connect-sync-status');
  });

  it('queues a sync of a failing object with "Sync now", whose button is disabled while it runs; a paused object has none', async () => {
    // Acme has HubSpot connected; its goals are paused by HubSpot's daily limit for another day.
    await t.db.insertInto('crm_connections').values({ tenant_id: TENANT, source: 'hubspot' }).execute();
    await recordSyncFailure(t.db, TENANT, 'hubspot', 'goals', 'HubSpot answered 429: the daily limit is used up', new Date(Date.now() + 86_400_000));
    const waiting = async () => (await runner.counts())['crm-sync']?.['waiting'] ?? 0;
    const before = await waiting();
    await open('Queue health');
    await open('Connect CRM');
    const table = page.getByRole('table', { name: 'HubSpot sync status' });
    await table.waitFor();
    expect(await table.getByRole('row', { name: /^goals/ }).getByRole('button').count()).toBe(0);
    const owners = table.getByRole('row', { name: /^owners/ });
    const button = owners.getByRole('button', { name: 'Sync now' });
    const posts = await holdPosts(/^\/api\/admin\/syncs\/hubspot\/owners\/run$/);
    await button.click();
    await expect.poll(posts.count).toBe(1);
    const disabledInFlight = await button.isDisabled();
    await posts.release();
    await owners.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
    expect(disabledInFlight).toBe(true);
    expect(await button.isEnabled()).toBe(true);
    // The runner received one sync-object job for Acme's owners, the one the audit log names.
    expect(await waiting()).toBe(before + 1);
    const audit = await t.db.selectFrom('audit_log').select(['actor', 'details']).where('tenant_id', '=', TENANT).where('action', '=', 'sync.requested').where('target', '=', 'hubspot/owners').execute();
    expect(audit).toEqual([{ actor: 'mia', details: expect.objectContaining({ queued: true }) }]);
    const job = await runner.inspect('crm-sync', (audit[0]!.details as { jobId: string }).jobId);
    expect(job).toMatchObject({ name: 'sync-object', state: 'waiting', payload: { tenantId: TENANT, source: 'hubspot', object: 'owners', mode: 'incremental', cause: expect.stringMatching(/^manual:mia@/) } });
    await checkAccessible();
    await shot('12-connect-sync-now');
  });
});
