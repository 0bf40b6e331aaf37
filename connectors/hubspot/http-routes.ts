import express, { Router, type Request, type Response } from 'express';
import type { OnInstalled } from '../core/installed.js';
import { OAuthStateError } from '../core/oauth-states.js';
import { completeInstall, installUrl, InstallError, type InstallDeps } from './install.js';
import { publicRequestUrl } from './signature-v3.js';
import { receiveWebhook } from './webhook-receiver.js';

/** HubSpot sends at most 100 events per delivery; a few hundred kB is plenty. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * The HubSpot routes the backend mounts (e.g. at /hubspot):
 *   GET  /install          → redirect to HubSpot's consent page (with a CSRF state)
 *   GET  /oauth/callback   → code exchange, tenant recorded, first sync started
 *   POST /webhooks         → signature-checked events stored and queued
 * The webhook route reads the RAW body (the signature covers its exact bytes): mount
 * this router before any JSON body parser, or the route answers 500 saying so.
 */
export function createHubspotRoutes(deps: InstallDeps, onInstalled?: OnInstalled): Router {
  const router = Router();

  router.get('/install', async (req: Request, res: Response) => {
    // Only same-site paths are kept: issueState (core/oauth-states.ts) drops any other returnTo.
    const raw = req.query['returnTo'];
    const returnTo = typeof raw === 'string' ? raw : undefined;
    res.redirect(302, await installUrl(deps, returnTo));
  });

  router.get('/oauth/callback', async (req: Request, res: Response) => {
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    if (q('error')) {
      res.status(400).type('text/plain').send(`HubSpot did not grant access (${q('error')}): start the install again and approve the requested scopes.`);
      return;
    }
    try {
      const result = await completeInstall(deps, { code: q('code'), state: q('state') });
      await onInstalled?.(res, { tenantId: result.tenantId, userId: result.installedBy });
      if (result.returnTo) res.redirect(302, result.returnTo);
      else res.status(200).type('text/plain').send(`Installed for HubSpot portal ${result.portalId}. The first sync has started.`);
    } catch (error) {
      if (error instanceof OAuthStateError || error instanceof InstallError) {
        res.status(400).type('text/plain').send(error.message);
        return;
      }
      deps.logger.error({ err: error }, 'HubSpot install failed');
      res.status(502).type('text/plain').send('HubSpot did not complete the install; try again in a minute.');
    }
  });

  router.post('/webhooks', express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES }), async (req: Request, res: Response) => {
    if (!Buffer.isBuffer(req.body)) {
      deps.logger.error('the HubSpot webhook route received a parsed body: mount the HubSpot router before express.json()');
      res.status(500).json({ error: 'server misconfigured: the raw body is not available for signature checking' });
      return;
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const verdict = await receiveWebhook(
      {
        method: req.method,
        url: publicRequestUrl(req, deps.config.trustProxy),
        rawBody: req.body.toString('utf8'),
        signature: header('x-hubspot-signature-v3'),
        timestamp: header('x-hubspot-request-timestamp'),
      },
      { db: deps.db, enqueue: deps.enqueue, clientSecret: deps.config.clientSecret, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) },
    );
    if (verdict.status === 200) res.status(200).json({ accepted: verdict.accepted, duplicates: verdict.duplicates });
    else {
      deps.logger.warn({ status: verdict.status, reason: verdict.reason }, 'HubSpot webhook rejected');
      res.status(verdict.status).json({ error: verdict.reason });
    }
  });

  return router;
}
