import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateTenant } from '../../shared/src/synthetic/index.js';
import { createLogger } from '../../worker/src/observability/logger.js';
import { savePlanVersion } from '../../worker/src/db/plans.js';
import { CRM_PATHS, loadAppConfig, type Env } from '../config.js';
import { ensureConsoleBuilt } from '../console-build.js';
import { jobsSettled, pendingJobs } from '../jobs-settled.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { demoPlans } from './demo-plans.js';
import { installThroughBrowser } from './oauth-install.js';
import { demoRouter } from './preview.js';
import { startDemoCrms, syncedUserId, type DemoCrms } from './sandboxes.js';
import { openThrowawayDatabase } from './throwaway-database.js';
import { formatSummary, n, summarize } from './summary.js';

export interface DemoOptions {
  readonly env: Env;
  readonly seed: number;
  readonly reps: number;
  readonly deals: number;
  /** Build and serve the admin console (skipped with --once: nothing would open it). */
  readonly serveConsole: boolean;
  readonly out: (text: string) => void;
}

export interface DemoRun {
  readonly runtime: Runtime;
  readonly crms: DemoCrms;
  readonly urls: { readonly api: string; readonly console: string; readonly preview: string };
  readonly tenants: { readonly hubspot: string; readonly salesforce: string };
  close(reason: string): Promise<void>;
}

/** Variables that mean "this is a real deployment": any one of them turns the demo off. */
export const REAL_MODE_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'HUBSPOT_CLIENT_ID', 'SALESFORCE_CLIENT_ID', 'TOKEN_ENCRYPTION_KEY', 'SESSION_SECRET'] as const;

export function isDemo(env: Env): boolean {
  return REAL_MODE_VARIABLES.every((name) => !env[name]);
}

/**
 * `spm start` with no configuration: two local CRMs seeded with the same demo company,
 * the app installed into both through their OAuth flows, synced, paid and coached, on a
 * throwaway embedded database. Every step goes through the production code paths; the
 * demo only supplies configuration (sandbox URLs, throwaway secrets) and the plans.
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const { out } = options;
  const started = Date.now();
  const stage = (i: number, text: string) => out(`[${i}/7] ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  const year = new Date().getUTCFullYear();

  const dataset = generateTenant({ seed: options.seed, reps: options.reps, deals: options.deals, year, activitiesPerDeal: 1 });
  stage(1, `demo company generated: seed ${options.seed}, ${n(dataset.users.length)} people, ${n(dataset.deals.length)} deals, ${n(dataset.activities?.length ?? 0)} activities in ${year}`);

  const crms = await startDemoCrms(dataset);
  stage(2, `local CRMs up: HubSpot sandbox portal ${crms.hubspot.portalId} at ${crms.hubspot.url}, Salesforce sandbox org ${crms.salesforce.orgId} at ${crms.salesforce.url}`);

  let server: Server | undefined;
  let runtime: Runtime | undefined;
  let database: Awaited<ReturnType<typeof openThrowawayDatabase>> | undefined;
  try {
    server = await listen(options.env['PORT'] ? Number(options.env['PORT']) : 3000, options.env['HOST'] || '127.0.0.1', out);
    const port = (server.address() as AddressInfo).port;
    const publicUrl = `http://127.0.0.1:${port}`;
    const env: Env = {
      ...options.env,
      ...crms.env,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(48).toString('base64url'),
      SESSION_COOKIE_SECURE: 'false',
      PUBLIC_URL: publicUrl,
      PORT: String(port),
      // Data problems (a missing FX rate…) are logged per record as warnings: too many for a demo's terminal.
      LOG_LEVEL: options.env['LOG_LEVEL'] || 'error',
      METRICS_PORT: options.env['METRICS_PORT'] || '0',
      CARD_CACHE_CHECK_MS: options.env['CARD_CACHE_CHECK_MS'] || '0',
    };
    out('Demo mode (no DATABASE_URL, REDIS_URL or CRM credentials set): throwaway TOKEN_ENCRYPTION_KEY, SESSION_SECRET and sandbox client ids/secrets were generated for this run; the embedded database is a throwaway copy, deleted when the run ends.\n');
    const config = loadAppConfig(env, 'all');
    if (options.serveConsole) await ensureConsoleBuilt(config.consoleDir, (line) => out(`      ${line}\n`));
    const logger = createLogger({ level: config.worker.LOG_LEVEL, destination: process.stderr });
    database = await openThrowawayDatabase((line) => out(`      ${line}\n`));
    runtime = await startRuntime({
      config,
      role: 'all',
      logger,
      db: database.db,
      server,
      extraRouters: ({ db }) => [demoRouter({ db, backend: config.backend })],
      cdcBatchMs: 200,
    });
    const rt = runtime;
    const db = database;
    // What a developer sets in the HubSpot app's webhook settings: our receiver's public URL.
    crms.hubspot.webhooks.configure({ targetUrl: `${publicUrl}${CRM_PATHS.hubspotWebhooks}` });

    const hs = await installThroughBrowser(`${publicUrl}${CRM_PATHS.hubspotInstall}`, publicUrl);
    const sf = await installThroughBrowser(`${publicUrl}${CRM_PATHS.salesforceConnect}`, publicUrl);
    const tenants = { hubspot: hs.tenantId ?? `hs-${crms.hubspot.portalId}`, salesforce: sf.tenantId ?? `sf-${crms.salesforce.orgId}` };
    stage(3, `installed through OAuth: ${tenants.hubspot} (HubSpot), ${tenants.salesforce} (Salesforce); tokens stored encrypted`);

    await settleWithTicker(rt, out, async () => {
      const deals = await rt.db.selectFrom('deals').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return `${n(Number(deals.n))} deals stored`;
    });
    await rt.tenants?.refresh();
    const synced = await summarize(rt.db);
    stage(4, `synced: ${synced.map((t) => `${t.tenantId} ${n(t.users)} users, ${n(t.deals)} deals, ${n(t.activities)} activities`).join('; ')}`);

    let planCount = 0;
    const month = new Date().toISOString().slice(0, 7);
    for (const [source, tenantId] of Object.entries(tenants) as Array<['hubspot' | 'salesforce', string]>) {
      const payees = new Set<string>();
      for (const plan of demoPlans(dataset, year, (id) => syncedUserId(crms, source, id))) {
        const saved = await savePlanVersion(rt.db, tenantId, plan, 'demo');
        for (const p of saved.payees) payees.add(p.userId);
        planCount++;
      }
      // A new plan's payees are recomputed (the nightly reconcile would also get there, but would log every line as a repair).
      await rt.runner.enqueue('compute', 'recompute-payees', { tenantId, payeeIds: [...payees].sort(), periodIds: [month], cause: 'demo:plans-published' });
    }
    stage(5, `published ${planCount} plans (AE and first-line manager, payees are the synced CRM ids); computing statements`);

    await settleWithTicker(rt, out, async () => {
      const entries = await rt.db.selectFrom('payout_ledger').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return `${n(Number(entries.n))} ledger entries`;
    });
    const summary = await summarize(rt.db);
    stage(6, `statements computed: ${n(summary.reduce((s, t) => s + t.ledgerEntries, 0))} ledger entries for ${n(summary.reduce((s, t) => s + t.payees, 0))} payees`);
    stage(7, `KPIs and coaching: ${n(summary.reduce((s, t) => s + t.kpiSnapshots, 0))} KPI snapshots, ${n(summary.reduce((s, t) => s + t.openPrompts, 0))} open coaching prompts`);
    out(`\n${formatSummary(summary)}`);

    const urls = { api: publicUrl, console: `${publicUrl}/demo/console?tenant=${encodeURIComponent(tenants.hubspot)}`, preview: `${publicUrl}/preview` };
    return {
      runtime: rt,
      crms,
      urls,
      tenants,
      close: async (reason) => {
        await rt.shutdown(reason).catch(() => undefined);
        await db.dispose();
        await crms.close();
      },
    };
  } catch (err) {
    if (runtime) await runtime.shutdown('demo failed').catch(() => undefined);
    else server?.close();
    await database?.dispose();
    await crms.close();
    throw err;
  }
}

/** Waits for the job queues to drain, printing a line every few seconds so a long stage visibly moves. */
async function settleWithTicker(runtime: Runtime, out: (text: string) => void, progress: () => Promise<string>): Promise<void> {
  let busy = false;
  const ticker = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all([progress(), pendingJobs(runtime.runner)])
      .then(([text, pending]) => out(`      … ${text}, ${n(pending)} jobs pending\n`))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 5_000);
  const failedBefore = await failedJobs(runtime);
  try {
    await jobsSettled(runtime.runner, { timeoutMs: 600_000 });
  } finally {
    clearInterval(ticker);
  }
  const failed = (await failedJobs(runtime)) - failedBefore;
  // A stage whose jobs gave up would print a summary of nothing: say so instead.
  if (failed > 0) throw new Error(`${failed} job(s) failed on their last attempt; the log above (stderr) names each job and its error`);
}

async function failedJobs(runtime: Runtime): Promise<number> {
  const counts = await runtime.runner.counts();
  return Object.values(counts).reduce((sum, states) => sum + (states['failed'] ?? 0), 0);
}

/** Listens on the port asked for; in the demo a taken port falls back to a free one rather than failing. */
async function listen(port: number, host: string, out: (text: string) => void): Promise<Server> {
  const attempt = (p: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(p, host, () => resolve(server));
    });
  try {
    return await attempt(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    out(`Port ${port} is in use; the demo takes a free port instead (set PORT to choose one).\n`);
    return attempt(0);
  }
}
