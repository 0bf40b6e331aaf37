import type { Request } from 'express';
import { z } from 'zod';
import { ApiFailure } from '../http/api-failure.js';
import { CREDENTIAL_PREFIX, type CredentialVerifier } from './salesforce-credentials.js';

/** The header the Apex controller sets to UserInfo.getUserId(). */
export const SALESFORCE_USER_HEADER = 'x-spm-sf-user';
/** Optional: UserInfo.getOrganizationId(); when sent it must be the credential's org. */
export const SALESFORCE_ORG_HEADER = 'x-spm-sf-org';

const SalesforceId = z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/);

export function isSalesforceRequest(req: Request): boolean {
  return (req.get('authorization') ?? '').startsWith(`Bearer ${CREDENTIAL_PREFIX}`);
}

export interface SalesforceIdentity {
  readonly tenantId: string;
  readonly salesforceUserId: string;
}

/**
 * The org is proven by its credential (the External Credential's header); the user id is
 * what Apex says it is, which the org vouches for: Apex runs as that user inside the org.
 */
export async function verifySalesforceRequest(req: Request, verifier: CredentialVerifier, now: number): Promise<SalesforceIdentity> {
  const credential = (req.get('authorization') ?? '').slice('Bearer '.length).trim();
  const tenantId = await verifier.verify(credential, now);
  if (!tenantId) throw new ApiFailure('unauthenticated', 'The Salesforce org credential is missing, malformed, unknown or revoked', 'ask an admin to issue a new card API credential and paste it into the SPM External Credential');
  const org = req.get(SALESFORCE_ORG_HEADER);
  // 15- and 18-character forms of one org id share their first 15 characters.
  if (org !== undefined && org.slice(0, 15) !== tenantId.slice('sf-'.length, 'sf-'.length + 15)) throw new ApiFailure('unauthenticated', 'The credential belongs to another Salesforce org', 'use the credential issued for this org');
  const user = SalesforceId.safeParse(req.get(SALESFORCE_USER_HEADER));
  if (!user.success) throw new ApiFailure('unauthenticated', `The ${SALESFORCE_USER_HEADER} header must carry the running user's Salesforce User Id`, 'set it from UserInfo.getUserId() in the Apex controller');
  return { tenantId, salesforceUserId: user.data };
}
