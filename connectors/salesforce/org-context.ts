import { PermanentJobError } from '../../worker/src/queues/errors.js';
import type { Db } from '../../worker/src/db/database.js';
import { describeFields, isFailure, queryAllRows } from './api.js';
import type { DealContext, StageRow } from './mapping.js';
import type { SalesforceSession } from './session.js';

/** What the sync needs to know about the org before it reads opportunities. */
export interface OrgContext extends DealContext {
  readonly fiscalYearStartMonth: number;
  /** Opportunity fields to select: the required ones plus the optional ones this org has. */
  readonly opportunityFields: readonly string[];
  /** False when Opportunity Splits are off (OpportunitySplit is not an object of the org). */
  readonly splitsEnabled: boolean;
}

const REQUIRED_OPPORTUNITY_FIELDS = ['Id', 'IsDeleted', 'Name', 'StageName', 'Amount', 'CloseDate', 'OwnerId', 'CreatedDate', 'SystemModstamp'];
/** Present only in some orgs: record types, multi-currency, this app's custom field. */
const OPTIONAL_OPPORTUNITY_FIELDS = ['RecordTypeId', 'CurrencyIsoCode', 'Type', 'LeadSource', 'LastStageChangeDate', 'Product_Line__c'];

export async function loadOrgContext(s: SalesforceSession, db: Db): Promise<OrgContext> {
  const tenant = await db.selectFrom('tenants').select(['home_currency', 'fiscal_year_start_month']).where('id', '=', s.tenantId).executeTakeFirstOrThrow();
  const fields = await describeFields(s, 'Opportunity');
  if (!fields) throw new PermanentJobError('missing_permission', 'The integration user cannot read Opportunity (INSUFFICIENT_ACCESS); give it Read on Opportunity in its profile or permission set');
  const missing = REQUIRED_OPPORTUNITY_FIELDS.filter((f) => !fields.has(f));
  if (missing.length > 0) {
    throw new PermanentJobError('missing_permission', `The integration user cannot see Opportunity field(s) ${missing.join(', ')} (INVALID_FIELD); grant read access in field-level security for its profile or permission set, then run the sync again`);
  }
  const stages = await queryAllRows<StageRow>(s, 'SELECT Id, MasterLabel, ApiName, IsWon, IsClosed, DefaultProbability, SortOrder, IsActive FROM OpportunityStage ORDER BY SortOrder');
  const stageIdByName = new Map<string, string>();
  for (const st of stages) {
    stageIdByName.set(st.MasterLabel, st.Id);
    if (st.ApiName) stageIdByName.set(st.ApiName, st.Id);
  }
  let splitsEnabled = true;
  const revenueTypeIds = new Set<string>();
  try {
    for (const t of await queryAllRows(s, 'SELECT Id, DeveloperName, IsTotalValidated, IsActive FROM OpportunitySplitType')) {
      if (t['IsTotalValidated'] === true || t['DeveloperName'] === 'Revenue') revenueTypeIds.add(t.Id);
    }
  } catch (err) {
    // Team Selling or Opportunity Splits off: the object does not exist (INVALID_TYPE).
    if (!isFailure(err, 'missing-access')) throw err;
    splitsEnabled = false;
  }
  return {
    home: tenant.home_currency,
    fiscalYearStartMonth: tenant.fiscal_year_start_month,
    multiCurrency: fields.has('CurrencyIsoCode'),
    stageIdByName,
    splitTypes: { revenueTypeIds },
    opportunityFields: [...REQUIRED_OPPORTUNITY_FIELDS, ...OPTIONAL_OPPORTUNITY_FIELDS.filter((f) => fields.has(f))],
    splitsEnabled,
  };
}
