/**
 * The Salesforce side cannot run here (no org for Apex; LWC Jest runs separately), so this
 * suite pins what it can from outside: the LWC test data is a real card-API body, the Apex
 * controller calls the backend's routes with the headers the backend reads, and the metadata
 * ties the permission set, external credential and named credential together.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SALESFORCE_ORG_HEADER, SALESFORCE_USER_HEADER } from '../../../extension/backend/src/auth/salesforce-auth.js';
import {
  CARD_API_BASE,
  CoachingTaskViewSchema,
  DealCardViewSchema,
  ExplanationViewSchema,
  ManagerCardViewSchema,
  RepCardViewSchema,
} from '../../../extension/backend/src/cards/view-models.js';

const force = new URL('../../../extension/salesforce/force-app/main/default/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, force), 'utf8');
const lwcData = (path: string): unknown => JSON.parse(read(`lwc/${path}`));

describe('Salesforce package against the card API contract', () => {
  it('feeds the LWC tests bodies the backend could really send', () => {
    expect(() => DealCardViewSchema.parse(lwcData('spmDealCard/__tests__/data/dealEstimate.json'))).not.toThrow();
    expect(() => DealCardViewSchema.parse(lwcData('spmDealCard/__tests__/data/dealNotCredited.json'))).not.toThrow();
    expect(() => ExplanationViewSchema.parse(lwcData('spmDealCard/__tests__/data/dealExplanation.json'))).not.toThrow();
    expect(() => RepCardViewSchema.parse(lwcData('spmRepCard/__tests__/data/repCard.json'))).not.toThrow();
    expect(() => ManagerCardViewSchema.parse(lwcData('spmManagerCard/__tests__/data/managerCard.json'))).not.toThrow();
    expect(() => CoachingTaskViewSchema.parse(lwcData('spmManagerCard/__tests__/data/taskCreated.json'))).not.toThrow();
  });

  it('calls the card routes through the named credential with the headers the backend reads', () => {
    const apex = read('classes/SpmCardController.cls');
    expect(apex).toContain(`ENDPOINT = 'callout:SPM_Backend'`);
    expect(apex).toContain(`API_BASE = '${CARD_API_BASE}'`);
    for (const route of [`API_BASE + '/deals/'`, `API_BASE + '/rep'`, `API_BASE + '/manager'`, `API_BASE + '/manager/prompts/'`, `+ '/tasks'`]) {
      expect(apex).toContain(route);
    }
    // Header names are case-insensitive on the wire; the backend reads them lower-cased.
    expect(apex.toLowerCase()).toContain(`user_header = '${SALESFORCE_USER_HEADER}'`);
    expect(apex.toLowerCase()).toContain(`org_header = '${SALESFORCE_ORG_HEADER}'`);
    expect(apex).toContain('WITH USER_MODE');
    expect(apex).toContain('public with sharing class');
  });

  it('wires permission set → external credential principal → named credential, with no secret in source', () => {
    const named = read('namedCredentials/SPM_Backend.namedCredential-meta.xml');
    const external = read('externalCredentials/SPM_Backend_Auth.externalCredential-meta.xml');
    const permissions = read('permissionsets/SPM_Card_User.permissionset-meta.xml');
    expect(named).toContain('<externalCredential>SPM_Backend_Auth</externalCredential>');
    expect(external).toContain('<parameterName>OrgPrincipal</parameterName>');
    expect(permissions).toContain('<externalCredentialPrincipal>SPM_Backend_Auth-OrgPrincipal</externalCredentialPrincipal>');
    expect(permissions).toContain('<apexClass>SpmCardController</apexClass>');
    // The backend recognises the org by this bearer credential, entered per org in Setup.
    expect(external).toContain('$Credential.SPM_Backend_Auth.ApiKey');
    expect(external).not.toMatch(/spm_sf_[0-9a-f]{16}\./);
    const eca = read('externalClientApps/SPM_Sync.eca-meta.xml') + read('extlClntAppOauthSettings/SPM_Sync_oauth.ecaOauth-meta.xml');
    expect(eca).not.toMatch(/consumerSecret|consumerKey/);
  });
});
