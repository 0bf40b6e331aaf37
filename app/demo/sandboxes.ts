import { randomBytes } from 'node:crypto';
import { startHubspotSandbox, type HubspotSandbox } from '../../sandboxes/hubspot/index.js';
import { seedOrgFromDataset, startSalesforceSandbox, type SalesforceSandbox, type SeededOrg } from '../../sandboxes/salesforce/index.js';
import type { RawDataset } from '../../shared/src/input/dataset.schema.js';

/**
 * The two local CRMs of the demo, seeded from the same canonical dataset, with throwaway
 * app credentials. Dev/demo only: the app reaches them through ordinary configuration
 * (HUBSPOT_API_BASE, SALESFORCE_LOGIN_URL, …) exactly as it reaches the real ones.
 */
export interface DemoCrms {
  readonly hubspot: HubspotSandbox;
  readonly salesforce: SalesforceSandbox;
  readonly seededOrg: SeededOrg;
  readonly credentials: { readonly hubspot: { clientId: string; clientSecret: string }; readonly salesforce: { clientId: string; clientSecret: string } };
  /** The environment that points the app at the sandboxes. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDemoCrms(dataset: RawDataset, options: { readonly cometdHoldMs?: number } = {}): Promise<DemoCrms> {
  const throwaway = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
  const credentials = {
    hubspot: { clientId: throwaway('demo-hubspot-client'), clientSecret: randomBytes(24).toString('base64url') },
    salesforce: { clientId: throwaway('demo-salesforce-client'), clientSecret: randomBytes(24).toString('base64url') },
  };
  const hubspot = await startHubspotSandbox({ portal: { kind: 'dataset', dataset }, clientId: credentials.hubspot.clientId, clientSecret: credentials.hubspot.clientSecret });
  let salesforce: SalesforceSandbox;
  let seededOrg: SeededOrg;
  try {
    seededOrg = seedOrgFromDataset(dataset);
    salesforce = await startSalesforceSandbox({ org: seededOrg, port: 0, clientId: credentials.salesforce.clientId, clientSecret: credentials.salesforce.clientSecret, rotateRefreshTokens: true, cometdHoldMs: options.cometdHoldMs ?? 20_000 });
  } catch (err) {
    await hubspot.close();
    throw err;
  }
  return {
    hubspot,
    salesforce,
    seededOrg,
    credentials,
    env: {
      HUBSPOT_CLIENT_ID: credentials.hubspot.clientId,
      HUBSPOT_CLIENT_SECRET: credentials.hubspot.clientSecret,
      HUBSPOT_APP_ID: String(hubspot.appId),
      HUBSPOT_API_BASE: hubspot.url,
      HUBSPOT_AUTHORIZE_URL: `${hubspot.url}/oauth/authorize`,
      SALESFORCE_CLIENT_ID: credentials.salesforce.clientId,
      SALESFORCE_CLIENT_SECRET: credentials.salesforce.clientSecret,
      SALESFORCE_LOGIN_URL: salesforce.url,
    },
    close: async () => {
      await Promise.allSettled([hubspot.close(), salesforce.close()]);
    },
  };
}

/** The synced (CRM) id of a canonical user in each sandbox. */
export function syncedUserId(crms: DemoCrms, source: 'hubspot' | 'salesforce', canonicalId: string): string | undefined {
  return source === 'hubspot' ? crms.hubspot.idMap.toExternal('user', canonicalId) : crms.seededOrg.idMap.salesforceId('user', canonicalId);
}

/** The synced (CRM) id of a canonical deal in each sandbox. */
export function syncedDealId(crms: DemoCrms, source: 'hubspot' | 'salesforce', canonicalId: string): string | undefined {
  return source === 'hubspot' ? crms.hubspot.idMap.toExternal('deal', canonicalId) : crms.seededOrg.idMap.salesforceId('deal', canonicalId);
}
