import type { Request } from 'express';
import type { Role } from '../cards/view-models.js';
import { ApiFailure } from '../http/api-failure.js';

/**
 * Who is calling, as proven by the CRM (a HubSpot signature, a Salesforce org
 * credential) or by our own session cookie. `tenantId` comes only from that proof: no
 * handler ever reads a tenant id from the request.
 */
export interface Principal {
  readonly tenantId: string;
  /** The canonical user id (users.id) of the person using the card or console. */
  readonly userId: string;
  readonly via: 'hubspot' | 'salesforce' | 'session';
  /** Roles the session was issued with (admin console logins); CRM requests derive roles from the data. */
  readonly grantedRoles: readonly Role[];
}

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

export function setPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal)[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal {
  const principal = (req as WithPrincipal)[PRINCIPAL];
  // Routes are mounted behind the authentication middleware; reaching here without one is a wiring bug, refused safely.
  if (!principal) throw new ApiFailure('unauthenticated', 'This request is not authenticated', 'call through the HubSpot card, the Salesforce package, or sign in to the console');
  return principal;
}
