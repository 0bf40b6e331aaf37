import { parentPort, workerData } from 'node:worker_threads';
import { startHubspotSandbox } from '../sandboxes/hubspot/index.js';
import { generateTenant } from '../shared/src/synthetic/index.js';
import type { SandboxThreadRequest, SandboxThreadMessage, SandboxThreadOptions } from './hubspot-sandbox-thread.js';

/**
 * Worker-thread entry for bench/hubspot-sandbox-thread.ts: seeds and serves the HubSpot
 * sandbox on this thread's own event loop and heap, so serialising its pages neither
 * delays the connector under measurement nor counts as the connector's memory.
 */
const port = parentPort;
if (!port) throw new Error('bench/hubspot-sandbox.worker.ts runs only as a worker thread (see hubspot-sandbox-thread.ts)');
const options = workerData as SandboxThreadOptions;
const dataset = generateTenant(options.tenant);
const sandbox = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: options.clientId, clientSecret: options.clientSecret });
const tokens = sandbox.oauth.issueTokens();
const send = (message: SandboxThreadMessage): void => port.postMessage(message);
send({ type: 'ready', url: sandbox.url, portalId: sandbox.portalId, appId: sandbox.appId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
port.on('message', (request: SandboxThreadRequest) => {
  if (request.type === 'stats') {
    send({ type: 'stats', stats: { requests: sandbox.stats.requests, searchRequests: sandbox.stats.searchRequests, rateLimited: { ...sandbox.stats.rateLimited }, rateLimitedTotal: sandbox.stats.rateLimitedTotal } });
  } else {
    void sandbox.close().then(() => {
      send({ type: 'closed' });
      port.close();
    });
  }
});
