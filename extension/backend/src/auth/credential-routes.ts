import express, { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../../../worker/src/db/database.js';
import { ApiFailure, parseInput } from '../http/api-failure.js';
import { principalOf } from './principal.js';
import { issueSalesforceCredential, revokeSalesforceCredential } from './salesforce-credentials.js';

/**
 * Admin routes for the Salesforce package's card API credential (mounted under
 * /api/admin behind the admin-session guard). The credential's value is returned once,
 * by the POST that mints it, for the admin to paste into the External Credential.
 */
export function credentialRoutes(db: Db): Router {
  const router = Router();
  router.get('/salesforce-credentials', async (req, res) => {
    const { tenantId } = principalOf(req);
    const rows = await db.selectFrom('card_api_credentials').select(['id', 'label', 'created_by', 'created_at', 'last_used_at', 'revoked_at']).where('tenant_id', '=', tenantId).orderBy('created_at').execute();
    res.json({ credentials: rows.map((r) => ({ id: r.id, label: r.label, createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at })) });
  });
  router.post('/salesforce-credentials', express.json({ limit: '16kb' }), async (req, res) => {
    const { tenantId, userId } = principalOf(req);
    const body = parseInput(z.object({ label: z.string().min(1).max(100).optional() }), req.body ?? {}, 'request body');
    if (!tenantId.startsWith('sf-')) throw new ApiFailure('bad_request', 'API credentials are for Salesforce orgs; HubSpot cards are authenticated by HubSpot\'s signature', 'sign in to the console from the Salesforce org');
    const issued = await issueSalesforceCredential(db, tenantId, `session:${userId}`, body.label);
    res.status(201).json({ id: issued.id, credential: issued.credential, note: 'Shown once: paste it into the SPM External Credential now.' });
  });
  router.delete('/salesforce-credentials/:id', async (req, res) => {
    const { tenantId, userId } = principalOf(req);
    const id = parseInput(z.string().regex(/^[0-9a-f]{16}$/), req.params['id'], 'credential id');
    if (!(await revokeSalesforceCredential(db, tenantId, id, `session:${userId}`))) throw new ApiFailure('not_found', `No active credential ${id} in this account`, 'list the credentials and pick an active one');
    res.status(204).end();
  });
  return router;
}
