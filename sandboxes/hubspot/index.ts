import type { AddressInfo } from 'node:net';
import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { loadPortalDataset, stableHash, type IdMap, type PortalSource } from '../portal-seed/index.js';
import { FaultInjector, type FaultSpec } from './faults.js';
import { Mutations } from './mutations.js';
import { OAuthServer } from './oauth.js';
import { seedHubspotPortal, type HubspotPortal } from './portal.js';
import { HUBSPOT_MARKETPLACE_LIMITS, PortalRateLimiter, type RateLimits } from './rate-limit.js';
import { createSandboxServer, SandboxStats } from './server.js';
import { WebhookSender, type WebhookConfig } from './webhooks.js';

export { signatureV3, signatureV1, decodeSignatureUri, type WebhookEvent, type WebhookConfig, type SubscriptionType } from './webhooks.js';
export { HUBSPOT_MARKETPLACE_LIMITS, type RateLimits } from './rate-limit.js';
export { KNOWN_SCOPES } from './oauth.js';
export type { FaultSpec } from './faults.js';
export type { HubspotPortal } from './portal.js';

export interface HubspotSandboxOptions {
  /** The canonical data to seed the portal from (a synthetic tenant, a file, or a dataset). */
  readonly portal: PortalSource | RawDataset;
  readonly clientId: string;
  readonly clientSecret: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly rateLimits?: Partial<RateLimits>;
  /** Access-token lifetime; HubSpot's is 1800 s. */
  readonly tokenTtlSeconds?: number;
  readonly redirectUris?: readonly string[];
  readonly appId?: number;
  readonly portalId?: number;
  /** The instant the seeded data is "as of" (default now); seeded timestamps never lie after it. */
  readonly now?: number;
  /** Deal splits turned on (Sales Hub Enterprise). Default true; false answers the splits API with 403. */
  readonly dealSplits?: boolean;
  readonly webhooks?: WebhookConfig;
  /** Search does not find records changed within this many ms (HubSpot's index lags writes). Default 0. */
  readonly searchIndexLagMs?: number;
}

export interface HubspotSandbox {
  /** Base URL for `new Client({ basePath: url })`. */
  readonly url: string;
  readonly portalId: number;
  readonly appId: number;
  readonly portal: HubspotPortal;
  readonly idMap: IdMap;
  readonly mutations: Mutations;
  readonly webhooks: WebhookSender;
  readonly stats: SandboxStats;
  readonly oauth: OAuthServer;
  /** Next N matching requests fail with a 429 or 5xx. */
  injectFaults(spec: FaultSpec): void;
  clearFaults(): void;
  /** Changes the lifetime of access tokens issued from now on. */
  setTokenTtlSeconds(seconds: number): void;
  close(): Promise<void>;
}

function isSource(portal: PortalSource | RawDataset): portal is PortalSource {
  return 'kind' in portal && typeof (portal as { kind: unknown }).kind === 'string';
}

/** Starts a local HubSpot stand-in that `@hubspot/api-client` can talk to unmodified. */
export async function startHubspotSandbox(options: HubspotSandboxOptions): Promise<HubspotSandbox> {
  const dataset = isSource(options.portal) ? loadPortalDataset(options.portal) : options.portal;
  const portal = seedHubspotPortal(dataset, { ...(options.portalId !== undefined ? { portalId: options.portalId } : {}), ...(options.now !== undefined ? { now: options.now } : {}), ...(options.dealSplits !== undefined ? { dealSplits: options.dealSplits } : {}) });
  const appId = options.appId ?? 3_000_000 + (stableHash(options.clientId) % 1_000_000);
  const installer = portal.owners[0];
  const oauth = new OAuthServer({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    appId,
    portalId: portal.portalId,
    hubDomain: portal.hubDomain,
    redirectUris: options.redirectUris ?? [],
    tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
    installerUserId: installer?.userId ?? 1,
    installerEmail: installer?.email ?? 'admin@sandbox.example',
  });
  const limits: RateLimits = {
    general: options.rateLimits?.general ?? HUBSPOT_MARKETPLACE_LIMITS.general,
    search: options.rateLimits?.search ?? HUBSPOT_MARKETPLACE_LIMITS.search,
    ...(options.rateLimits?.retryAfterHeader !== undefined ? { retryAfterHeader: options.rateLimits.retryAfterHeader } : {}),
  };
  const webhooks = new WebhookSender({ clientSecret: options.clientSecret, appId, portalId: portal.portalId });
  webhooks.configure(options.webhooks);
  const faults = new FaultInjector();
  const stats = new SandboxStats();
  const mutations = new Mutations(portal, webhooks);
  const server = createSandboxServer({ portal, oauth, limiter: new PortalRateLimiter(limits), faults, mutations, webhooks, stats, searchIndexLagMs: options.searchIndexLagMs ?? 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    portalId: portal.portalId,
    appId,
    portal,
    idMap: portal.idMap,
    mutations,
    webhooks,
    stats,
    oauth,
    injectFaults: (spec) => faults.inject(spec),
    clearFaults: () => faults.clear(),
    setTokenTtlSeconds: (seconds) => {
      oauth.config.tokenTtlSeconds = seconds;
    },
    close: async () => {
      await webhooks.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
