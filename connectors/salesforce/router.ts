import { Router, type Request, type Response } from 'express';
import type { OnInstalled } from '../core/installed.js';
import { OAuthStateError } from '../core/oauth-states.js';
import type { SalesforceConfig } from './config.js';
import { beginInstall, completeInstall, InstallError, type InstallDeps } from './install.js';

/**
 * The routes the backend mounts (e.g. at /oauth/salesforce): `GET /connect` sends the admin
 * to Salesforce's consent page (optional `loginUrl` for My Domain or test.salesforce.com,
 * `returnTo` for where to land afterwards), `GET /callback` is the External Client App's
 * callback URL. Change Data Capture is pulled over CometD (see change-events.ts), so
 * Salesforce needs no inbound route.
 */
export function createSalesforceRouter(config: SalesforceConfig, deps: InstallDeps, onInstalled?: OnInstalled): Router {
  const router = Router();
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

  router.get('/connect', async (req: Request, res: Response) => {
    try {
      // returnTo is checked (same-site paths only) where the state stores it: core/oauth-states.ts.
      const url = await beginInstall(config, deps, { loginUrl: text(req.query['loginUrl']), returnTo: text(req.query['returnTo']) });
      res.redirect(302, url);
    } catch (err) {
      fail(res, err);
    }
  });

  router.get('/callback', async (req: Request, res: Response) => {
    try {
      const { tenantId, returnTo, installedBy } = await completeInstall(config, deps, { code: text(req.query['code']), state: text(req.query['state']), error: text(req.query['error']), error_description: text(req.query['error_description']) });
      await onInstalled?.(res, { tenantId, userId: installedBy });
      if (returnTo) res.redirect(302, `${returnTo}${returnTo.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(tenantId)}`);
      else res.status(200).json({ connected: true, tenantId });
    } catch (err) {
      fail(res, err);
    }
  });

  function fail(res: Response, err: unknown): void {
    if (err instanceof OAuthStateError) res.status(400).json({ error: 'invalid_state', message: err.message });
    else if (err instanceof InstallError) res.status(err.status).json({ error: 'install_failed', message: err.message });
    else {
      deps.logger?.error({ err: (err as Error).message }, 'salesforce install failed');
      res.status(500).json({ error: 'install_failed', message: 'Connecting Salesforce failed unexpectedly; try again, and contact support if it repeats' });
    }
  }
  return router;
}
