import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

/**
 * `spm start` as a person runs it, with no configuration: the demo comes up, then a real
 * browser opens the admin console and the card preview page, and Ctrl-C (SIGINT) stops
 * it cleanly with exit code 0. A small demo company keeps it quick. Screenshots go to
 * test-artifacts/ for a human to look at.
 */
const ARTIFACTS = 'test-artifacts';
const REAL_MODE = ['DATABASE_URL', 'REDIS_URL', 'HUBSPOT_CLIENT_ID', 'SALESFORCE_CLIENT_ID', 'TOKEN_ENCRYPTION_KEY', 'SESSION_SECRET'];

describe('npm start serves the console and the card preview', () => {
  let child: ChildProcess;
  let stdout = '';
  let browser: Browser;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !REAL_MODE.includes(k)));
    child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', '--reps', '4', '--deals', '80'], { env: { ...env, PORT: '0', LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', () => undefined);
    const deadline = Date.now() + 170_000;
    while (!stdout.includes('Serving until')) {
      if (child.exitCode !== null) throw new Error(`spm start exited with ${child.exitCode}:\n${stdout}`);
      if (Date.now() > deadline) throw new Error(`spm start did not come up:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  const url = (label: string) => {
    const m = new RegExp(`${label}\\s+(http://\\S+)`).exec(stdout);
    if (!m) throw new Error(`no ${label} URL in:\n${stdout}`);
    return m[1]!;
  };

  it('prints the summary and the URLs to open', () => {
    expect(stdout).toMatch(/\[7\/7\] KPIs and coaching/);
    expect(stdout).toMatch(/Summary: 2 tenants, \d+ paid reps and managers, 160 deals; total payouts USD [\d,]+\.\d\d/);
    expect(url('admin console')).toMatch(/\/demo\/console\?tenant=hs-\d+$/);
  });

  it('opens the admin console signed in as the demo admin, showing the connected CRM', async () => {
    const page = await browser.newPage();
    await page.goto(url('admin console'));
    await page.waitForURL(/\/console\//);
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    await page.getByText(/connected/i).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${ARTIFACTS}/start-console.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('renders a manager\'s rep, deal and manager cards on the preview page from the card API', async () => {
    const page = await browser.newPage();
    await page.goto(url('card preview'));
    const manager = page.locator('button.mgr').first();
    await manager.waitFor({ timeout: 15_000 });
    await manager.click();
    await page.locator('section[data-card="Manager card"]').waitFor({ timeout: 15_000 });
    await page.locator('section[data-card="Rep card"]').waitFor();
    expect(await page.locator('.err').count()).toBe(0);
    // The manager card lists the team and the coaching prompts the demo computed.
    expect(await page.locator('section[data-card="Manager card"] .list').count()).toBeGreaterThan(0);
    expect(await page.locator('section[data-card="Rep card"] .figure').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/start-preview-manager.png`, fullPage: true });

    const rep = page.locator('nav button:not(.mgr):not([data-deals="0"])').first();
    await rep.click();
    await page.locator('section[data-card^="Deal card"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('.err').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/start-preview-rep.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('stops gracefully on SIGINT with exit code 0', async () => {
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGINT: shutting down[\s\S]*Stopped\./);
  }, 60_000);
});
