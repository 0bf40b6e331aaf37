import type { Logger } from 'pino';
import { PermanentJobError } from '../../worker/src/queues/errors.js';
import type { Db } from '../../worker/src/db/database.js';
import { describeFields, isFailure, queryAllRows } from './api.js';
import type { DealContext, SplitTypeInfo, StageRow } from './mapping.js';
import type { OrgMetadataCache } from './org-cache.js';
import type { SalesforceSession } from './session.js';

/** What the sync reads from the org itself before it reads opportunities (3 REST calls; cached per tenant). */
export interface OrgMetadata {
  readonly multiCurrency: boolean;
  readonly stageIdByName: ReadonlyMap<string, string>;
  readonly splitTypes: SplitTypeInfo;
  /** Opportunity fields to select: the required ones plus the optional ones this org has. */
  readonly opportunityFields: readonly string[];
  /** False when Opportunity Splits are off (OpportunitySplit is not an object of the org). */
  readonly splitsEnabled: boolean;
  /** Stage names a reload was made for and the org did not have: not reloaded for again until the entry expires. */
  readonly unresolvedStages: ReadonlySet<string>;
}

/** What the sync needs to know about the org before it reads opportunities. */
export interface OrgContext extends DealContext, OrgMetadata {
  readonly fiscalYearStartMonth: number;
}

const REQUIRED_OPPORTUNITY_FIELDS = ['Id', 'IsDeleted', 'Name', 'StageName', 'Amount', 'CloseDate', 'OwnerId', 'CreatedDate', 'SystemModstamp'];
/** Present only in some orgs: record types, multi-currency, this app's custom field. */
const OPTIONAL_OPPORTUNITY_FIELDS = ['RecordTypeId', 'CurrencyIsoCode', 'Type', 'LeadSource', 'LastStageChangeDate', 'Product_Line__c'];

const ORG_METADATA = 'org-metadata';

/**
 * The org context of a deals job or CDC batch. The Salesforce part comes from the
 * connector's cache. The tenant's home currency and fiscal year start are read from our
 * own database every time and deliberately not cached: that read costs no API call (the
 * cache exists to save those), and an admin's change to either applies to the very next
 * job instead of up to a TTL later.
 */
export async function loadOrgContext(s: SalesforceSession, db: Db, cache: OrgMetadataCache): Promise<OrgContext> {
  const tenant = await db.selectFrom('tenants').select(['home_currency', 'fiscal_year_start_month']).where('id', '=', s.tenantId).executeTakeFirstOrThrow();
  const metadata = await cache.get(s.tenantId, ORG_METADATA, () => readOrgMetadata(s));
  return { ...metadata, home: tenant.home_currency, fiscalYearStartMonth: tenant.fiscal_year_start_month };
}

/**
 * The context to map these stage names with. A name missing from the cached stage list is
 * most likely a stage an admin added or renamed since it was read: the metadata is read
 * again once (unless another job already did) before a deal is stored with an unknown stage.
 * Names still missing after that are remembered with the entry, so a stage the org really
 * lacks costs one reload per TTL, not one per page.
 */
export async function orgContextKnowingStages(s: SalesforceSession, cache: OrgMetadataCache, ctx: OrgContext, stageNames: Iterable<string>, logger?: Logger): Promise<OrgContext> {
  const names = [...new Set(stageNames)].filter((n) => n !== '');
  const missing = (m: OrgMetadata): string[] => names.filter((n) => !m.stageIdByName.has(n) && !m.unresolvedStages.has(n));
  if (missing(ctx).length === 0) return ctx;
  // A page of the same job, or another job, may have reloaded already.
  const latest = await cache.get(s.tenantId, ORG_METADATA, () => readOrgMetadata(s));
  let metadata = latest;
  if (missing(latest).length > 0) {
    const wanted = missing(latest);
    logger?.info({ tenantId: s.tenantId, stages: wanted }, 'salesforce opportunity stage not in the cached org metadata; reading the org again');
    // Names remembered from earlier reloads stay remembered (unless the fresh list now has them):
    // keeping only `wanted` would make alternating unknown names reload on every page.
    const candidates = new Set([...latest.unresolvedStages, ...wanted]);
    metadata = await cache.reload(s.tenantId, ORG_METADATA, async () => {
      const fresh = await readOrgMetadata(s);
      return { ...fresh, unresolvedStages: new Set([...candidates].filter((n) => !fresh.stageIdByName.has(n))) };
    });
    if (metadata.unresolvedStages.size > 0) logger?.warn({ tenantId: s.tenantId, stages: [...metadata.unresolvedStages] }, 'salesforce opportunity stage not found in the org; the deal keeps the stage name as its stage id');
  }
  return { ...metadata, home: ctx.home, fiscalYearStartMonth: ctx.fiscalYearStartMonth };
}

/** Describe Opportunity, the stage picklist and the split types: what the cache saves. Permission errors throw, so they are never cached. */
async function readOrgMetadata(s: SalesforceSession): Promise<OrgMetadata> {
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
    multiCurrency: fields.has('CurrencyIsoCode'),
    stageIdByName,
    splitTypes: { revenueTypeIds },
    opportunityFields: [...REQUIRED_OPPORTUNITY_FIELDS, ...OPTIONAL_OPPORTUNITY_FIELDS.filter((f) => fields.has(f))],
    splitsEnabled,
    unresolvedStages: new Set(),
  };
}
