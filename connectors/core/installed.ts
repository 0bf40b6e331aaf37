import type { Response } from 'express';

/**
 * Who completed a CRM install. Installing the app takes admin rights in both CRMs (HubSpot
 * lets only users with app-install permission approve it; Salesforce, an admin who can
 * approve the External Client App), so the installer is the tenant's first admin.
 */
export interface Installed {
  readonly tenantId: string;
  /** The installing CRM user: the HubSpot user's email (or user id), the Salesforce user id. */
  readonly userId: string;
}

/**
 * Runs on the install callback's response before it redirects: the composition root signs
 * the installer in to the admin console there. Connecting again is how an admin signs in
 * again (the callback refreshes the tokens it stores).
 */
export type OnInstalled = (res: Response, installed: Installed) => Promise<void>;
