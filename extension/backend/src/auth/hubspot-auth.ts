import type { Request } from 'express';
import { z } from 'zod';
import { publicRequestUrl, verifySignatureV3, type SignatureVerdict } from '../../../../connectors/hubspot/signature-v3.js';
import { tenantIdFor } from '../../../../connectors/core/tenant-connections.js';
import type { BackendConfig } from '../config.js';
import { ApiFailure } from '../http/api-failure.js';
import type { Principal } from './principal.js';
import { rawBodyOf } from './raw-body.js';

/** HubSpot appends these to every hubspot.fetch URL before signing it, so once the signature checks out they are trustworthy. */
const HubSpotQuery = z.object({
  portalId: z.string().regex(/^\d{1,20}$/),
  userId: z.string().regex(/^\d{1,20}$/),
  userEmail: z.email(),
  appId: z.string().regex(/^\d{1,20}$/).optional(),
});

const REASONS: Record<Exclude<SignatureVerdict, { ok: true }>['reason'], string> = {
  'missing-headers': 'the X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp headers are both required',
  'bad-timestamp': 'X-HubSpot-Request-Timestamp is not a millisecond timestamp',
  stale: 'the request timestamp is more than five minutes old',
  future: 'the request timestamp is in the future',
  mismatch: 'the signature does not match the request',
};

export function isHubSpotRequest(req: Request): boolean {
  return req.get('x-hubspot-signature-v3') !== undefined;
}

export interface HubSpotIdentity {
  readonly tenantId: string;
  readonly email: string;
  readonly hubspotUserId: string;
}

/**
 * Verifies a hubspot.fetch request (signature v3 over the public URL and the raw body)
 * and says which portal and HubSpot user sent it. Mapping that user to a canonical user
 * happens against the tenant's data (see resolveHubSpotUser in card-auth.ts).
 */
export function verifyHubSpotRequest(req: Request, config: BackendConfig, now: number): HubSpotIdentity {
  if (!config.hubspotClientSecret) throw new ApiFailure('unauthenticated', 'HubSpot card requests are not accepted by this deployment', 'set HUBSPOT_CLIENT_SECRET to the HubSpot app\'s client secret');
  const verdict = verifySignatureV3(
    { method: req.method, url: publicRequestUrl(req, config.trustProxy), rawBody: rawBodyOf(req), signature: req.get('x-hubspot-signature-v3'), timestamp: req.get('x-hubspot-request-timestamp') },
    config.hubspotClientSecret,
    now,
  );
  if (!verdict.ok) throw new ApiFailure('unauthenticated', `HubSpot signature refused: ${REASONS[verdict.reason]}`, 'call the card API through hubspot.fetch from the installed app (a proxy in front must forward the public host and protocol, with CARD_API_TRUST_PROXY=true)');
  const query = HubSpotQuery.safeParse(req.query);
  if (!query.success) throw new ApiFailure('unauthenticated', 'The signed HubSpot request lacks portalId, userId or userEmail', 'call the card API through hubspot.fetch, which adds them');
  if (config.hubspotAppId && query.data.appId !== config.hubspotAppId) throw new ApiFailure('unauthenticated', 'The request was signed for another HubSpot app', 'install this deployment\'s HubSpot app');
  return { tenantId: tenantIdFor('hubspot', query.data.portalId), email: query.data.userEmail.toLowerCase(), hubspotUserId: query.data.userId };
}

export function hubspotPrincipal(identity: HubSpotIdentity, userId: string, admin: boolean): Principal {
  return { tenantId: identity.tenantId, userId, via: 'hubspot', grantedRoles: admin ? ['admin'] : [] };
}
