import { Router } from 'express';
import type { Logger } from 'pino';
import type { CrmConnector } from '../connectors/core/crm-connector.js';
import type { OnInstalled } from '../connectors/core/installed.js';
import { sessionSettings } from '../extension/backend/src/app.js';
import { issueSession } from '../extension/backend/src/auth/session.js';
import { createHubspotConnector, createHubspotRoutes } from '../connectors/hubspot/index.js';
import { createSalesforceConnector, createSalesforceRouter } from '../connectors/salesforce/index.js';
import type { Db } from '../worker/src/db/database.js';
import type { Enqueue } from '../worker/src/queues/handler-registry.js';
import { CRM_PATHS, type AppConfig } from './config.js';

export interface CrmWiring {
  readonly connectors: readonly CrmConnector[];
  /** Install, OAuth-callback and webhook routes, mounted before any body parser. */
  readonly routers: readonly Router[];
  readonly connectLinks: { readonly hubspot: string; readonly salesforce: string };
}

/** The connectors of the CRMs whose app credentials are configured, and their HTTP routes. */
export function wireCrms(config: AppConfig, deps: { readonly db: Db; readonly enqueue: Enqueue; readonly logger: Logger }): CrmWiring {
  const connectors: CrmConnector[] = [];
  const routers: Router[] = [];
  const { db, enqueue, logger } = deps;
  const cipher = config.cipher;
  const session = sessionSettings(config.backend);
  // The installer is the tenant's first admin: recorded, and signed in to the admin console on the callback's redirect.
  const signInInstaller: OnInstalled = async (res, { tenantId, userId }) => {
    await db
      .insertInto('tenant_roles')
      .values({ tenant_id: tenantId, user_id: userId, role: 'admin', granted_by: 'install' })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'role']).doNothing())
      .execute();
    issueSession(res, session, { tenantId, userId, roles: ['admin'] });
  };
  if (config.hubspot) {
    connectors.push(createHubspotConnector(config.hubspot, { db, cipher, logger: logger.child({ crm: 'hubspot' }) }));
    const router = Router();
    router.use(CRM_PATHS.hubspotBase, createHubspotRoutes({ db, cipher, config: config.hubspot, enqueue, logger: logger.child({ crm: 'hubspot' }) }, signInInstaller));
    routers.push(router);
  }
  if (config.salesforce) {
    connectors.push(createSalesforceConnector(config.salesforce, { db, cipher, logger: logger.child({ crm: 'salesforce' }) }));
    const router = Router();
    router.use(CRM_PATHS.salesforceBase, createSalesforceRouter(config.salesforce, { db, cipher, enqueue, logger: logger.child({ crm: 'salesforce' }) }, signInInstaller));
    routers.push(router);
  }
  return { connectors, routers, connectLinks: { hubspot: CRM_PATHS.hubspotInstall, salesforce: CRM_PATHS.salesforceConnect } };
}
