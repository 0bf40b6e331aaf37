import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import { generateTenant, type TenantOptions } from '../../shared/src/synthetic/index.js';
import type { IdKind, IdMap as PortalIdMap } from '../portal-seed/id-map.js';
import { canonicalTimeMs } from '../portal-seed/canonical-time.js';
import { quotaWindow } from '../portal-seed/quota-window.js';
import { stableHash } from '../portal-seed/stable-hash.js';
import { salesforceId } from './ids.js';
import { percentOf, SalesforceOrg } from './store.js';

/**
 * Builds a Salesforce org from the canonical raw dataset (the same document the HubSpot
 * sandbox is seeded from), the way an admin's org would hold the same facts:
 *
 * - users → User (ManagerId = latest manager link; roles: one "Manager" and one "Team" role
 *   per manager, nested like the manager chain), plus an "Integration User" that owns the
 *   API sessions and is nobody's rep;
 * - pipelines → Opportunity RecordTypes; stages → OpportunityStage (one picklist for the whole
 *   org: a stage name used in two pipelines becomes one stage, the first definition wins);
 *   probability is a percentage (0.4 → 40);
 * - deals → Opportunity; every opportunity has the default 100 % Revenue split for its owner
 *   unless the deal carries revenue splits; overlay splits become Overlay rows;
 * - activities → Task (email, call, task) and Event (meeting; a canceled meeting is a deleted
 *   Event, visible to queryAll);
 * - FX rates → CurrencyType / DatedConversionRate in Salesforce's direction (units of the
 *   currency per one corporate unit, 6 decimals);
 * - revenue / deal-count quotas of users for quarters and months → ForecastingQuota.
 *
 * Whatever has no Salesforce counterpart is listed in `warnings`, never silently dropped.
 */
export type CanonicalKind = IdKind | 'role' | 'split' | 'fxRate';

/**
 * Canonical id ↔ Salesforce id, per kind. Implements the shared portal-seed `IdMap` (kinds user,
 * team, pipeline, stage, deal, activity, quota) so a cross-connector test can treat both CRM
 * sandboxes alike; Salesforce-only kinds: role, split ("<dealId>#<index in deal.splits>"),
 * fxRate ("<ISO>@<date>"). A team maps to its manager's "Team - …" role.
 */
export class IdMap implements PortalIdMap {
  private readonly forward = new Map<CanonicalKind, Map<string, string>>();
  private readonly reverse = new Map<CanonicalKind, Map<string, string>>();

  set(kind: CanonicalKind, canonicalId: string, sfId: string): void {
    let forward = this.forward.get(kind);
    if (!forward) this.forward.set(kind, (forward = new Map()));
    forward.set(canonicalId, sfId);
    let reverse = this.reverse.get(kind);
    if (!reverse) this.reverse.set(kind, (reverse = new Map()));
    reverse.set(sfId, canonicalId);
  }

  salesforceId(kind: CanonicalKind, canonicalId: string): string | undefined {
    return this.forward.get(kind)?.get(canonicalId);
  }

  toExternal(kind: IdKind, canonicalId: string): string | undefined {
    return this.salesforceId(kind, canonicalId);
  }

  toCanonical(kind: IdKind, externalId: string): string | undefined {
    return this.reverse.get(kind)?.get(externalId);
  }

  /** The canonical record behind a Salesforce id (the first kind that has it: a role can also be a team). */
  canonical(sfId: string): { kind: CanonicalKind; id: string } | undefined {
    for (const [kind, map] of this.reverse) {
      const id = map.get(sfId);
      if (id !== undefined) return { kind, id };
    }
    return undefined;
  }

  *entries(kind: CanonicalKind): Iterable<readonly [canonical: string, external: string]> {
    const map = this.forward.get(kind);
    if (map) yield* map;
  }

  *all(): IterableIterator<{ kind: CanonicalKind; canonicalId: string; salesforceId: string }> {
    for (const [kind, map] of this.forward) for (const [canonicalId, salesforceId] of map) yield { kind, canonicalId, salesforceId };
  }
}

export interface SeededOrg {
  readonly org: SalesforceOrg;
  readonly idMap: IdMap;
  readonly warnings: readonly string[];
}

const DEAL_TYPES: Readonly<Record<string, string>> = {
  'new-business': 'New Customer',
  expansion: 'Existing Customer - Upgrade',
  renewal: 'Existing Customer - Renewal',
};

const FORECAST_LABEL: Readonly<Record<string, string>> = { Omitted: 'Omitted', Pipeline: 'Pipeline', BestCase: 'Best Case', Forecast: 'Commit', Closed: 'Closed' };

function day(text: string): string {
  return text.slice(0, 10);
}

/** A canonical date or timestamp as epoch ms; a date alone is taken at `hourUtc` that day. */
function instant(text: string, hourUtc = 0): number {
  return canonicalTimeMs(text) + (text.length === 10 ? hourUtc * 3_600_000 : 0);
}

/** A decimal amount as its canonical text ("45000", "0.5"); decimal.js only for unusual forms. */
function decimalText(value: string | number): string {
  const text = String(value);
  return /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/.test(text) ? text : new Decimal(text).toFixed();
}

function developerName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(name) ? name : `X${name}`;
}

function orgIdFor(tenantId: string): string {
  return salesforceId('00D', (stableHash(tenantId) % 1_000_000) + 1);
}

/** 1 / rate to 6 decimals: Salesforce stores "units of this currency per corporate unit". */
function invertRate(rate: string): string {
  return new Decimal(1).dividedBy(rate).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(6);
}

function percent(fraction: string): string {
  return new Decimal(fraction).times(100).toFixed();
}

export interface SeedOptions {
  /** Org id override (default: derived from the tenant id). */
  readonly orgId?: string;
}

export function seedOrgFromDataset(dataset: RawDataset, options: SeedOptions = {}): SeededOrg {
  const home = dataset.tenant.currency;
  const org = new SalesforceOrg(options.orgId ?? orgIdFor(dataset.tenant.id), dataset.tenant.name || dataset.tenant.id, home);
  const idMap = new IdMap();
  const warnings: string[] = [];
  const fiscalStartMonth = dataset.calendar?.fiscalYearStartMonth ?? 1;
  const users = dataset.users;
  const seedTime = instant('2015-01-01');

  org.load('Organization', {
    Id: org.orgId, Name: org.name, OrganizationType: 'Enterprise Edition', IsSandbox: false, InstanceName: 'NA224',
    DefaultLocaleSidKey: 'en_US', LanguageLocaleKey: 'en_US', TimeZoneSidKey: 'America/Los_Angeles', FiscalYearStartMonth: fiscalStartMonth,
    UsesStartDateAsFiscalYearName: false, DefaultOpportunityAccess: 'Read', CreatedDate: seedTime, LastModifiedDate: seedTime, SystemModstamp: seedTime,
  });

  // ---- Users, managers, roles ---------------------------------------------------------------
  const integrationId = org.nextId('User');
  org.integrationUserId = integrationId;
  const userSfId = new Map<string, string>();
  for (const user of users) {
    const id = org.nextId('User');
    userSfId.set(user.id, id);
    idMap.set('user', user.id, id);
  }
  const latestManager = new Map<string, string | null>();
  const latestFrom = new Map<string, string>();
  for (const link of dataset.managers ?? []) {
    const prev = latestFrom.get(link.userId);
    if (prev === undefined || link.from >= prev) {
      latestFrom.set(link.userId, link.from);
      latestManager.set(link.userId, link.managerId);
    }
  }
  const managers = new Set<string>([...latestManager.values()].filter((m): m is string => m !== null));
  for (const team of dataset.teams ?? []) if (team.managerId) managers.add(team.managerId);
  // Team managers also manage members that have no manager link.
  for (const team of dataset.teams ?? []) {
    if (!team.managerId) continue;
    for (const member of team.members) {
      const userId = typeof member === 'string' ? member : member.userId;
      if (!latestManager.has(userId) && userId !== team.managerId) latestManager.set(userId, team.managerId);
    }
  }
  const managerRole = new Map<string, string>();
  const teamRole = new Map<string, string>();
  const roleFor = (managerId: string, seen: Set<string>): string => {
    const existing = managerRole.get(managerId);
    if (existing) return existing;
    if (seen.has(managerId)) throw new RangeError(`manager links loop through user "${managerId}"; fix the managers list`);
    seen.add(managerId);
    const parentManager = latestManager.get(managerId) ?? null;
    const parentRole = parentManager !== null && userSfId.has(parentManager) ? roleFor(parentManager, seen) : null;
    const name = users.find((u) => u.id === managerId)?.name ?? managerId;
    const id = org.nextId('UserRole');
    org.load('UserRole', { Id: id, Name: `Manager - ${name}`, DeveloperName: developerName(`Manager_${managerId}`), ParentRoleId: parentRole, RollupDescription: `Manager - ${name}`, OpportunityAccessForAccountOwner: 'Read', LastModifiedDate: seedTime, LastModifiedById: integrationId, SystemModstamp: seedTime });
    idMap.set('role', `manager:${managerId}`, id);
    managerRole.set(managerId, id);
    return id;
  };
  for (const m of managers) if (userSfId.has(m)) roleFor(m, new Set());
  for (const m of managers) {
    if (!userSfId.has(m)) continue;
    const id = org.nextId('UserRole');
    const name = users.find((u) => u.id === m)?.name ?? m;
    org.load('UserRole', { Id: id, Name: `Team - ${name}`, DeveloperName: developerName(`Team_${m}`), ParentRoleId: managerRole.get(m)!, RollupDescription: `Team - ${name}`, OpportunityAccessForAccountOwner: 'Read', LastModifiedDate: seedTime, LastModifiedById: integrationId, SystemModstamp: seedTime });
    idMap.set('role', `team:${m}`, id);
    teamRole.set(m, id);
  }
  for (const team of dataset.teams ?? []) {
    const role = team.managerId !== undefined ? teamRole.get(team.managerId) : undefined;
    if (role) idMap.set('team', team.id, role);
    else warnings.push(`team ${team.id}: no manager, so no role stands for it; membership is only visible through ManagerId`);
  }

  const audit = (at: number, by: string = integrationId) => ({ CreatedDate: at, CreatedById: by, LastModifiedDate: at, LastModifiedById: by, SystemModstamp: at });
  org.load('User', {
    Id: integrationId, Username: `integration@${org.orgId.toLowerCase()}.sandbox`, Name: 'Integration User', LastName: 'Integration User', FirstName: null,
    Email: 'integration@sandbox.invalid', IsActive: true, UserType: 'Standard', DefaultCurrencyIsoCode: home, CurrencyIsoCode: home, TimeZoneSidKey: 'America/Los_Angeles', ...audit(seedTime),
  });
  for (const user of users) {
    const space = user.name.indexOf(' ');
    const managerId = latestManager.get(user.id) ?? null;
    const manager = managerId !== null ? userSfId.get(managerId) : undefined;
    if (managerId !== null && !manager) warnings.push(`user ${user.id}: manager "${managerId}" is not a user; ManagerId left empty`);
    const created = user.startDate ? instant(user.startDate) : seedTime;
    const email = user.email ?? `${developerName(user.id).toLowerCase()}@sandbox.invalid`;
    org.load('User', {
      Id: userSfId.get(user.id)!, Username: `${email}.${org.orgId.slice(-6).toLowerCase()}`, Name: user.name,
      FirstName: space > 0 ? user.name.slice(0, space) : null, LastName: space > 0 ? user.name.slice(space + 1) : user.name, Email: email,
      IsActive: user.active ?? true, ManagerId: manager ?? null,
      UserRoleId: managerRole.get(user.id) ?? (managerId !== null ? teamRole.get(managerId) ?? null : null),
      UserType: 'Standard', DefaultCurrencyIsoCode: user.payCurrency ?? home, CurrencyIsoCode: user.payCurrency ?? home, TimeZoneSidKey: 'America/Los_Angeles',
      ...audit(created),
    });
    if (user.endDate) warnings.push(`user ${user.id}: endDate ${user.endDate} has no User field; IsActive=${String(user.active ?? true)}`);
  }

  // ---- Pipelines and stages -----------------------------------------------------------------
  const recordTypeOf = new Map<string, string>();
  const stageName = new Map<string, string>();
  const stageDefaultProbability = new Map<string, { probability: string; isClosed: boolean; isWon: boolean; forecast: string }>();
  let sortOrder = 0;
  for (const pipeline of dataset.pipelines) {
    const rtId = org.nextId('RecordType');
    org.load('RecordType', { Id: rtId, Name: pipeline.name, DeveloperName: developerName(pipeline.id), SobjectType: 'Opportunity', IsActive: true, Description: null, ...audit(seedTime) });
    idMap.set('pipeline', pipeline.id, rtId);
    recordTypeOf.set(pipeline.id, rtId);
    for (const stage of pipeline.stages) {
      const outcome = stage.outcome ?? 'open';
      const probability = stage.probability !== undefined ? percent(String(stage.probability)) : outcome === 'won' ? '100' : '0';
      const forecast = outcome === 'won' ? 'Closed' : outcome === 'lost' ? 'Omitted' : new Decimal(probability).lt(40) ? 'Pipeline' : new Decimal(probability).lt(70) ? 'BestCase' : 'Forecast';
      stageName.set(`${pipeline.id}/${stage.id}`, stage.name);
      const existing = stageDefaultProbability.get(stage.name);
      if (existing) {
        if (existing.isWon !== (outcome === 'won') || existing.isClosed !== (outcome !== 'open')) warnings.push(`stage "${stage.name}" of pipeline ${pipeline.id} differs from the stage of the same name in another pipeline; Salesforce has one picklist value, the first definition is used`);
        const sfStage = org.table('OpportunityStage').rows.find((s) => s['MasterLabel'] === stage.name)!;
        idMap.set('stage', `${pipeline.id}/${stage.id}`, sfStage['Id'] as string);
        continue;
      }
      const id = org.nextId('OpportunityStage');
      stageDefaultProbability.set(stage.name, { probability, isClosed: outcome !== 'open', isWon: outcome === 'won', forecast });
      org.load('OpportunityStage', {
        Id: id, MasterLabel: stage.name, ApiName: stage.name, IsActive: true, SortOrder: ++sortOrder, IsClosed: outcome !== 'open', IsWon: outcome === 'won',
        ForecastCategory: forecast, ForecastCategoryName: FORECAST_LABEL[forecast]!, DefaultProbability: probability, Description: null, ...audit(seedTime),
      });
      idMap.set('stage', `${pipeline.id}/${stage.id}`, id);
    }
  }

  // ---- Split types ------------------------------------------------------------------------------
  const revenueType = org.nextId('OpportunitySplitType');
  const overlayType = org.nextId('OpportunitySplitType');
  org.load('OpportunitySplitType', { Id: revenueType, IsDeleted: false, MasterLabel: 'Revenue', DeveloperName: 'Revenue', Description: 'Credit for revenue (totals 100%)', SplitField: 'Amount', SplitDataStatus: 'Completed', SplitEntity: 'Opportunity', IsTotalValidated: true, IsActive: true, ...audit(seedTime) });
  org.load('OpportunitySplitType', { Id: overlayType, IsDeleted: false, MasterLabel: 'Overlay', DeveloperName: 'Overlay', Description: 'Credit for supporting team members (any total)', SplitField: 'Amount', SplitDataStatus: 'Completed', SplitEntity: 'Opportunity', IsTotalValidated: false, IsActive: true, ...audit(seedTime) });

  // ---- Opportunities and splits ----------------------------------------------------------------
  const dealSfId = new Map<string, string>();
  for (const deal of dataset.deals ?? []) {
    const id = org.nextId('Opportunity');
    dealSfId.set(deal.id, id);
    idMap.set('deal', deal.id, id);
    const owner = userSfId.get(deal.ownerId);
    if (!owner) {
      warnings.push(`deal ${deal.id}: owner "${deal.ownerId}" is not a user; opportunity owned by the integration user`);
    }
    const name = stageName.get(`${deal.pipelineId}/${deal.stageId}`);
    if (name === undefined) throw new RangeError(`deal ${deal.id}: stage "${deal.stageId}" is not a stage of pipeline "${deal.pipelineId}"; fix the deal or the pipeline`);
    const stage = stageDefaultProbability.get(name)!;
    const created = instant(deal.createdDate);
    const history = deal.stageHistory ?? [];
    const lastStageChange = history.length > 0 ? instant(history[history.length - 1]!.enteredAt) : created;
    const modified = Math.max(deal.sourceVersion ? instant(deal.sourceVersion) : created, created);
    const ownerId = owner ?? integrationId;
    const closeDate = day(deal.closeDate);
    const month = Number(closeDate.slice(5, 7));
    const props = deal.properties ?? {};
    const amount = decimalText(deal.amount);
    org.load('Opportunity', {
      Id: id, IsDeleted: false, Name: deal.name ?? '', RecordTypeId: recordTypeOf.get(deal.pipelineId)!, StageName: name, Amount: amount,
      Probability: stage.probability, ExpectedRevenue: percentOf(amount, stage.probability), CloseDate: closeDate,
      Type: props['dealType'] !== undefined ? DEAL_TYPES[props['dealType']] ?? props['dealType'] : null, LeadSource: props['leadSource'] ?? null,
      IsClosed: stage.isClosed, IsWon: stage.isWon, ForecastCategory: stage.forecast, ForecastCategoryName: FORECAST_LABEL[stage.forecast]!,
      CurrencyIsoCode: deal.currency, OwnerId: ownerId, Product_Line__c: props['productLine'] ?? null,
      CreatedDate: created, CreatedById: ownerId, LastModifiedDate: modified, LastModifiedById: ownerId, SystemModstamp: modified,
      LastActivityDate: null, LastStageChangeDate: lastStageChange,
      FiscalYear: Number(closeDate.slice(0, 4)) + (fiscalStartMonth > 1 && month >= fiscalStartMonth ? 1 : 0),
      FiscalQuarter: Math.floor(((month - fiscalStartMonth + 12) % 12) / 3) + 1,
    });
    const splits = deal.splits ?? [];
    const addSplit = (userId: string, typeId: string, pct: string, key: string | undefined): void => {
      const sid = org.nextId('OpportunitySplit');
      org.load('OpportunitySplit', {
        Id: sid, IsDeleted: false, OpportunityId: id, SplitOwnerId: userId, SplitPercentage: percentOf(pct, '100'), SplitAmount: percentOf(amount, pct),
        SplitTypeId: typeId, SplitNote: null, CurrencyIsoCode: deal.currency, HasOpportunityLineItemSplit: false,
        CreatedDate: created, CreatedById: ownerId, LastModifiedDate: modified, LastModifiedById: ownerId, SystemModstamp: modified,
      });
      if (key !== undefined) idMap.set('split', key, sid);
    };
    if (!splits.some((s) => s.type === 'revenue')) addSplit(ownerId, revenueType, '100', undefined);
    splits.forEach((s, i) => {
      const splitOwner = userSfId.get(s.userId);
      if (!splitOwner) {
        warnings.push(`deal ${deal.id}: split user "${s.userId}" is not a user; split skipped`);
        return;
      }
      addSplit(splitOwner, s.type === 'revenue' ? revenueType : overlayType, String(s.percent), `${deal.id}#${i}`);
    });
  }

  // ---- Activities ---------------------------------------------------------------------------------
  const lastActivity = new Map<string, string>();
  for (const activity of dataset.activities ?? []) {
    const ownerId = userSfId.get(activity.userId) ?? integrationId;
    const whatId = activity.dealId !== undefined ? dealSfId.get(activity.dealId) ?? null : null;
    if (activity.dealId !== undefined && whatId === null) warnings.push(`activity ${activity.id}: deal "${activity.dealId}" does not exist; WhatId left empty`);
    const date = day(activity.occurredAt);
    const status = activity.status ?? 'completed';
    if (whatId !== null && status === 'completed' && (lastActivity.get(whatId) ?? '') < date) lastActivity.set(whatId, date);
    if (activity.type === 'meeting') {
      const start = instant(activity.occurredAt, 15);
      const id = org.nextId('Event');
      const deleted = status === 'canceled';
      org.load('Event', {
        Id: id, IsDeleted: deleted, Subject: 'Meeting', WhatId: whatId, WhoId: null, OwnerId: ownerId, ActivityDate: date, ActivityDateTime: start,
        StartDateTime: start, EndDateTime: start + 30 * 60_000, DurationInMinutes: 30, Type: 'Meeting', EventSubtype: 'Event', Description: null,
        CurrencyIsoCode: home, IsArchived: false, ...audit(instant(date) - 86_400_000, ownerId),
      });
      if (deleted) org.logDeletion('Event', id, start);
      idMap.set('activity', activity.id, id);
      continue;
    }
    const subtype = activity.type === 'email' ? 'Email' : activity.type === 'call' ? 'Call' : 'Task';
    const completedAt = instant(activity.occurredAt, 12);
    const id = org.nextId('Task');
    org.load('Task', {
      Id: id, IsDeleted: false, Subject: subtype === 'Task' ? 'Follow up' : subtype, WhatId: whatId, WhoId: null, OwnerId: ownerId, ActivityDate: date,
      Status: status === 'completed' ? 'Completed' : status === 'canceled' ? 'Deferred' : 'Not Started', Priority: 'Normal',
      Type: subtype === 'Task' ? 'Other' : subtype, TaskSubtype: subtype, IsClosed: status !== 'scheduled', CompletedDateTime: status === 'completed' ? completedAt : null,
      Description: null, CurrencyIsoCode: home, IsArchived: false, ...audit(status === 'completed' ? completedAt : instant(date) - 86_400_000, ownerId),
    });
    idMap.set('activity', activity.id, id);
  }
  const opps = org.table('Opportunity').byId;
  for (const [oppId, date] of lastActivity) opps.get(oppId)!['LastActivityDate'] = date;

  // ---- Currencies ---------------------------------------------------------------------------------
  const rates = [...(dataset.fxRates ?? [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const codes = new Set<string>([home]);
  for (const deal of dataset.deals ?? []) codes.add(deal.currency);
  for (const user of users) if (user.payCurrency) codes.add(user.payCurrency);
  for (const r of rates) {
    codes.add(r.from);
    codes.add(r.to);
  }
  const dated = new Map<string, { date: string; rate: string }[]>();
  for (const r of rates) {
    let code: string;
    let sfRate: string;
    if (r.to === home && r.from !== home) {
      code = r.from;
      sfRate = invertRate(String(r.rate));
    } else if (r.from === home && r.to !== home) {
      code = r.to;
      sfRate = new Decimal(String(r.rate)).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(6);
    } else {
      warnings.push(`fx rate ${r.from}->${r.to} on ${r.date}: Salesforce only stores rates against the corporate currency ${home}; skipped`);
      continue;
    }
    let list = dated.get(code);
    if (!list) dated.set(code, (list = []));
    const last = list[list.length - 1];
    if (last && last.date === r.date) last.rate = sfRate;
    else list.push({ date: r.date, rate: sfRate });
  }
  for (const code of [...codes].sort((a, b) => (a === home ? -1 : b === home ? 1 : a < b ? -1 : 1))) {
    const list = dated.get(code) ?? [];
    const latest = code === home ? '1.000000' : list[list.length - 1]?.rate;
    if (latest === undefined) warnings.push(`currency ${code}: no rate against ${home}; CurrencyType rate set to 1`);
    org.load('CurrencyType', { Id: org.nextId('CurrencyType'), IsoCode: code, ConversionRate: latest ?? '1.000000', DecimalPlaces: code === 'JPY' || code === 'KRW' ? 0 : 2, IsActive: true, IsCorporate: code === home, ...audit(seedTime) });
    const periods = code === home ? [{ date: '0001-01-01', rate: '1.000000' }] : list;
    periods.forEach((p, i) => {
      const dcrId = org.nextId('DatedConversionRate');
      org.load('DatedConversionRate', { Id: dcrId, IsoCode: code, ConversionRate: p.rate, StartDate: p.date, NextStartDate: periods[i + 1]?.date ?? '9999-12-31', ...audit(seedTime) });
      if (code !== home) idMap.set('fxRate', `${code}@${p.date}`, dcrId);
    });
  }

  // ---- Quotas -----------------------------------------------------------------------------------
  const revenueForecast = org.nextId('ForecastingType');
  const quantityForecast = org.nextId('ForecastingType');
  org.load('ForecastingType', { Id: revenueForecast, DeveloperName: 'OpportunitySplitRevenue', MasterLabel: 'Opportunity Revenue Splits', IsActive: true, IsAmount: true, IsQuantity: false, RoleType: 'R', OpportunitySplitTypeId: revenueType, ...audit(seedTime) });
  org.load('ForecastingType', { Id: quantityForecast, DeveloperName: 'OpportunityQuantity', MasterLabel: 'Opportunity Quantity', IsActive: true, IsAmount: false, IsQuantity: true, RoleType: 'R', OpportunitySplitTypeId: null, ...audit(seedTime) });
  const latestQuota = new Map<string, NonNullable<RawDataset['quotas']>[number]>();
  for (const quota of dataset.quotas ?? []) {
    const measure = quota.measure ?? 'revenue';
    const key = `${quota.userId ?? ''}|${quota.teamId ?? ''}|${quota.period}|${measure}`;
    const prev = latestQuota.get(key);
    if (!prev || (quota.version ?? 1) > (prev.version ?? 1)) latestQuota.set(key, quota);
  }
  for (const quota of latestQuota.values()) {
    const measure = quota.measure ?? 'revenue';
    if (!quota.userId) {
      warnings.push(`quota ${quota.id}: team quotas have no ForecastingQuota counterpart (quotas belong to users or territories); skipped`);
      continue;
    }
    if (measure !== 'revenue' && measure !== 'deal-count') {
      warnings.push(`quota ${quota.id}: measure ${measure} has no forecast type; skipped`);
      continue;
    }
    const owner = userSfId.get(quota.userId);
    // ForecastingQuota periods are months or (fiscal) quarters; the dates come from the same calendar arithmetic as the engine's.
    const start = /^\d{4}-(Q[1-4]|\d{2})$/.test(quota.period) ? quotaWindow(dataset, quota.period).start : undefined;
    if (!owner || !start) {
      warnings.push(`quota ${quota.id}: ${!owner ? `user "${quota.userId}" does not exist` : `period "${quota.period}" is not a month or quarter`}; skipped`);
      continue;
    }
    const id = org.nextId('ForecastingQuota');
    const at = quota.effectiveFrom ? instant(quota.effectiveFrom) : seedTime;
    const isAmount = measure === 'revenue';
    org.load('ForecastingQuota', {
      Id: id, QuotaOwnerId: owner, QuotaAmount: isAmount ? new Decimal(String(quota.target)).toFixed() : null, QuotaQuantity: isAmount ? null : new Decimal(String(quota.target)).toFixed(),
      StartDate: start, PeriodId: null, ForecastingTypeId: isAmount ? revenueForecast : quantityForecast, CurrencyIsoCode: quota.currency ?? home,
      IsAmount: isAmount, IsQuantity: !isAmount, ProductFamily: null, Territory2Id: null, ...audit(at),
    });
    idMap.set('quota', quota.id, id);
  }
  return { org, idMap, warnings };
}

/** A seeded org straight from the synthetic generator (same options as the HubSpot sandbox). */
export function seedOrgFromSynthetic(options: TenantOptions, seedOptions: SeedOptions = {}): SeededOrg & { dataset: ReturnType<typeof generateTenant> } {
  const dataset = generateTenant(options);
  return { ...seedOrgFromDataset(dataset, seedOptions), dataset };
}

