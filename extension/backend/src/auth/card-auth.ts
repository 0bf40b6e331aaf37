import type { RequestHandler } from 'express';
import type { UserId } from '../../../../shared/src/domain/ids.js';
import type { BackendConfig } from '../config.js';
import type { TenantCache, TenantSnapshot } from '../cards/tenant-cache.js';
import { ApiFailure } from '../http/api-failure.js';
import { hubspotPrincipal, isHubSpotRequest, verifyHubSpotRequest } from './hubspot-auth.js';
import { setPrincipal, type Principal } from './principal.js';
import { isSalesforceRequest, verifySalesforceRequest } from './salesforce-auth.js';
import type { CredentialVerifier } from './salesforce-credentials.js';
import { sessionOf, sessionPrincipal, type SessionSettings } from './session.js';

export interface CardAuthDeps {
  readonly config: BackendConfig;
  readonly cache: TenantCache;
  readonly credentials: CredentialVerifier;
  readonly session: SessionSettings;
  readonly now: () => number;
}

const NOT_INSTALLED = new ApiFailure('unauthenticated', 'This CRM account has not installed the app, or has disconnected it', 'install (or reconnect) the app from the CRM marketplace');

/**
 * Who is calling the card API, from one of three proofs: a HubSpot signature, a
 * Salesforce org credential, or an admin-console session. The tenant always comes from
 * the proof; a request naming another tenant's records simply finds nothing.
 *
 * User mapping:
 * - HubSpot: HubSpot's `userEmail` (signed) is matched case-insensitively to an active
 *   user's email within the tenant. The HubSpot user id is not a canonical id (canonical
 *   users are CRM owners), and the HubSpot connector stores no user-id link, so email is
 *   the join. The tenant's HubSpot admins (the installer) are recognised by the email or
 *   HubSpot user id the install recorded, owner or not; anyone else without a matching
 *   email is refused with a fix.
 * - Salesforce: the User Id Apex sends is the canonical user id (the connector keys users
 *   by User Id); 15-character ids are matched to their 18-character form.
 * - Session: the user id the login callback put in the session.
 */
export function authenticateCardRequest(deps: CardAuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const now = deps.now();
    let principal: Principal;
    if (isHubSpotRequest(req)) {
      const identity = verifyHubSpotRequest(req, deps.config, now);
      const snapshot = await activeSnapshot(deps.cache, identity.tenantId);
      const userId = snapshot.usersByEmail.get(identity.email);
      const admin = isHubSpotAdmin(snapshot, identity);
      if (!userId && !admin) throw new ApiFailure('forbidden', 'Your HubSpot user is not a rep, manager or admin known to SPM', 'make sure your HubSpot user email matches your owner record, then wait for the next user sync (or ask an admin)');
      // An admin who sells nothing (the installer, often) has no owner record: they are known by their email.
      principal = hubspotPrincipal(identity, userId ?? identity.email, admin);
    } else if (isSalesforceRequest(req)) {
      const identity = await verifySalesforceRequest(req, deps.credentials, now);
      const snapshot = await activeSnapshot(deps.cache, identity.tenantId);
      const userId = salesforceUser(snapshot, identity.salesforceUserId);
      if (!userId) throw new ApiFailure('forbidden', 'Your Salesforce user is not a rep, manager or admin known to SPM', 'wait for the next user sync, or ask an admin to check that your user is synced');
      principal = { tenantId: identity.tenantId, userId, via: 'salesforce', grantedRoles: [] };
    } else {
      const claims = sessionOf(req, deps.session, now);
      if (!claims) throw new ApiFailure('unauthenticated', 'No valid HubSpot signature, Salesforce credential or console session', 'open the card inside HubSpot or Salesforce, or sign in to the console');
      await activeSnapshot(deps.cache, claims.tenantId);
      principal = sessionPrincipal(claims);
    }
    setPrincipal(req, principal);
    next();
  };
}

/**
 * HubSpot admins are recorded as the installing HubSpot user (connectors/hubspot/install.ts):
 * by their email, or `hubspot-user-<id>` when HubSpot gave none. Cards identify people
 * by owner id, so an admin is recognised here by those, not by the owner id.
 */
function isHubSpotAdmin(snapshot: TenantSnapshot, identity: { readonly email: string; readonly hubspotUserId: string }): boolean {
  // Lower-cased on both sides: installs before the install lower-cased the email kept HubSpot's case.
  for (const admin of snapshot.status.admins) if (admin.toLowerCase() === identity.email || admin === `hubspot-user-${identity.hubspotUserId}`) return true;
  return false;
}

async function activeSnapshot(cache: TenantCache, tenantId: string): Promise<TenantSnapshot> {
  const snapshot = await cache.get(tenantId);
  if (!snapshot || !snapshot.status.active) throw NOT_INSTALLED;
  return snapshot;
}

function salesforceUser(snapshot: TenantSnapshot, id: string): UserId | undefined {
  if (snapshot.index.users.has(id as UserId)) return id as UserId;
  if (id.length === 15) return snapshot.data.users.find((u) => u.id.length === 18 && u.id.startsWith(id))?.id;
  return undefined;
}
