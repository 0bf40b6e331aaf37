import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { Decimal, multiply, parseDecimal } from '../../shared/src/money/decimal.js';
import { FxTable, TableIdMap, arrayIdTable, canonicalTimeMs, mix32, quotaWindow, stableHash, stableUuid, type IdMap, type IdTable } from '../portal-seed/index.js';
import { AssociationLinks, ENGAGEMENT_ASSOCIATION_TYPES, ENGAGEMENT_TYPES, type EngagementType } from './associations.js';
import { RecordStore, type HistoryEntry, type PropertyType } from './record-store.js';

type RawDeal = NonNullable<RawDataset['deals']>[number];
type RawActivity = NonNullable<RawDataset['activities']>[number];
type RawQuota = NonNullable<RawDataset['quotas']>[number];

export interface HubspotTeam {
  readonly id: string;
  readonly name: string;
}

export interface HubspotOwner {
  readonly id: number;
  readonly userId: number;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly archived: boolean;
  readonly teams: readonly { readonly id: string; readonly name: string; readonly primary: boolean }[];
}

export interface HubspotStage {
  readonly id: string;
  readonly label: string;
  readonly displayOrder: number;
  /** "0.0"–"1.0", as HubSpot writes deal-stage probabilities. */
  readonly probability: string;
  readonly isClosed: boolean;
}

export interface HubspotPipeline {
  readonly id: string;
  readonly label: string;
  readonly displayOrder: number;
  readonly stages: readonly HubspotStage[];
}

/** One revenue split of a deal (GET via POST /crm/v3/objects/deals/splits/batch/read). */
export interface HubspotDealSplit {
  readonly id: string;
  readonly ownerId: string;
  /** Share of the deal as exact decimal text, "0.6" = 60 % (HubSpot allows up to 8 decimals). */
  readonly percentage: string;
  readonly createdMs: number;
}

export interface ExchangeRate {
  readonly id: string;
  readonly fromCurrencyCode: string;
  readonly toCurrencyCode: string;
  /** Exact decimal text; HubSpot sends it as a JSON number. */
  readonly conversionRate: string;
  readonly effectiveMs: number;
}

/** Everything one sandbox portal serves. */
export interface HubspotPortal {
  readonly portalId: number;
  readonly hubDomain: string;
  readonly companyCurrency: string;
  readonly createdMs: number;
  readonly owners: readonly HubspotOwner[];
  readonly pipelines: readonly HubspotPipeline[];
  readonly exchangeRates: readonly ExchangeRate[];
  /** False: the portal has no deal splits (not Sales Hub Enterprise, or splits turned off). */
  readonly dealSplitsEnabled: boolean;
  /** The revenue splits of the deal at store index `i` (empty: the owner has all of it). */
  splitsOfDeal(i: number): readonly HubspotDealSplit[];
  readonly deals: RecordStore;
  readonly engagements: Readonly<Record<EngagementType, RecordStore>>;
  readonly goalTargets: RecordStore;
  readonly links: Readonly<Record<EngagementType, AssociationLinks>>;
  readonly idMap: IdMap;
  /** Strictly increasing milliseconds: every change gets a later hs_lastmodifieddate than the last. */
  now(): number;
  store(objectType: string): RecordStore | undefined;
  ownerById(id: string): HubspotOwner | undefined;
  stageById(stageId: string): { pipeline: HubspotPipeline; stage: HubspotStage } | undefined;
  amountInHomeCurrency(amount: string | null, currency: string | null, atMs: number): string | null;
}

export interface SeedOptions {
  readonly portalId?: number;
  /** Seeded timestamps later than this are pulled back before it (a CRM holds no edits from the future). Default: Date.now(). */
  readonly now?: number;
  /** Deal splits turned on (Sales Hub Enterprise). Default true. */
  readonly dealSplits?: boolean;
}

const DEAL_ID_BASE = 20_000_000_000;
const ENGAGEMENT_ID_BASE: Readonly<Record<EngagementType, number>> = { calls: 30_000_000_000, emails: 31_000_000_000, meetings: 32_000_000_000, tasks: 33_000_000_000 };
const GOAL_ID_BASE = 40_000_000_000;
const SPLIT_ID_BASE = 50_000_000_000;
const OWNER_ID_BASE = 100_000_000;
const USER_ID_BASE = 5_000_000;
const TEAM_ID_BASE = 1_000_000;
const CUSTOM_PIPELINE_ID_BASE = 700_000_000;
const CUSTOM_STAGE_ID_BASE = 800_000_000;
const DAY_MS = 86_400_000;

/** Sequential ids with a deterministic gap of 1–10, so nothing can assume ids are dense. */
function sparseId(base: number, seed: number, i: number): number {
  return base + i * 10 + (mix32(seed, i) % 10);
}

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

/** "0.4" → "0.4", "1" → "1.0": HubSpot always writes one decimal at least. */
function formatProbability(p: string | number | undefined, outcome: string | undefined): string {
  const text = p === undefined ? (outcome === 'won' ? '1' : outcome === 'lost' ? '0' : '0') : String(p);
  const d = parseDecimal(text);
  if (!d) throw new RangeError(`stage probability "${text}" is not a decimal`);
  const fixed = d.toFixed();
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/**
 * HubSpot keeps exchange rates to 6 decimals (currencies guide: "can contain up to 6
 * decimal values"); longer canonical rates are rounded half-up here ❓ (HubSpot may refuse them instead).
 */
function hubspotRate(text: string): string {
  const d = parseDecimal(text);
  if (!d) throw new RangeError(`exchange rate "${text}" is not a decimal`);
  return d.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const DEAL_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map<string, PropertyType>([
  ['dealname', 'string'],
  ['amount', 'number'],
  ['dealstage', 'enumeration'],
  ['pipeline', 'enumeration'],
  ['closedate', 'datetime'],
  ['hubspot_owner_id', 'enumeration'],
  ['deal_currency_code', 'enumeration'],
  ['amount_in_home_currency', 'number'],
  ['hs_is_closed', 'bool'],
  ['hs_is_closed_won', 'bool'],
  ['hs_is_closed_lost', 'bool'],
  ['hs_deal_stage_probability', 'number'],
  ['dealtype', 'enumeration'],
  ['description', 'string'],
]);

const ENGAGEMENT_PROPERTIES: Readonly<Record<EngagementType, readonly (readonly [string, PropertyType])[]>> = {
  calls: [['hs_timestamp', 'datetime'], ['hubspot_owner_id', 'enumeration'], ['hs_call_title', 'string'], ['hs_call_status', 'enumeration'], ['hs_call_body', 'string'], ['hs_call_direction', 'enumeration'], ['hs_call_duration', 'number']],
  emails: [['hs_timestamp', 'datetime'], ['hubspot_owner_id', 'enumeration'], ['hs_email_subject', 'string'], ['hs_email_status', 'enumeration'], ['hs_email_direction', 'enumeration'], ['hs_email_text', 'string']],
  meetings: [['hs_timestamp', 'datetime'], ['hubspot_owner_id', 'enumeration'], ['hs_meeting_title', 'string'], ['hs_meeting_outcome', 'enumeration'], ['hs_meeting_start_time', 'datetime'], ['hs_meeting_end_time', 'datetime'], ['hs_meeting_body', 'string']],
  tasks: [['hs_timestamp', 'datetime'], ['hubspot_owner_id', 'enumeration'], ['hs_task_subject', 'string'], ['hs_task_body', 'string'], ['hs_task_status', 'enumeration'], ['hs_task_priority', 'enumeration'], ['hs_task_type', 'enumeration'], ['hs_task_completion_date', 'datetime']],
};

const GOAL_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map<string, PropertyType>([
  ['hs_goal_name', 'string'],
  ['hs_target_amount', 'number'],
  ['hs_target_amount_in_home_currency', 'number'],
  ['hs_goal_target_currency_code', 'enumeration'],
  ['hs_start_datetime', 'datetime'],
  ['hs_end_datetime', 'datetime'],
  ['hs_assignee_user_id', 'number'],
  ['hs_assignee_team_id', 'number'],
  ['hubspot_owner_id', 'enumeration'],
  ['hs_group_correlation_uuid', 'string'],
  ['hs_goal_target_group_id', 'number'],
]);

/** Canonical activity status → each engagement's own status property and value. */
const ACTIVITY_STATUS: Readonly<Record<EngagementType, { property: string; values: Readonly<Record<string, string>> }>> = {
  calls: { property: 'hs_call_status', values: { completed: 'COMPLETED', scheduled: 'QUEUED', canceled: 'CANCELED' } },
  emails: { property: 'hs_email_status', values: { completed: 'SENT', scheduled: 'SCHEDULED', canceled: 'FAILED' } },
  meetings: { property: 'hs_meeting_outcome', values: { completed: 'COMPLETED', scheduled: 'SCHEDULED', canceled: 'CANCELED' } },
  tasks: { property: 'hs_task_status', values: { completed: 'COMPLETED', scheduled: 'NOT_STARTED', canceled: 'DEFERRED' } },
};
const ACTIVITY_TYPE_TO_ENGAGEMENT: Readonly<Record<string, EngagementType>> = { call: 'calls', email: 'emails', meeting: 'meetings', task: 'tasks' };

const MEASURE_GOAL_NAMES: Readonly<Record<string, string>> = {
  revenue: 'Revenue quota',
  'deal-count': 'Deals won',
  'activity:call': 'Calls made',
  'activity:email': 'Emails sent',
  'activity:meeting': 'Meetings booked',
  'activity:task': 'Tasks completed',
};

/** Builds a HubSpot portal from a canonical dataset; see BEHAVIOR.md for the mapping. */
export function seedHubspotPortal(dataset: RawDataset, options: SeedOptions = {}): HubspotPortal {
  const tenantId = dataset.tenant.id;
  const seed = stableHash(tenantId);
  const portalId = options.portalId ?? 40_000_000 + (seed % 9_000_000);
  const home = dataset.tenant.currency;
  const nowAtSeed = options.now ?? Date.now();
  const fx = new FxTable(home, dataset.fxRates ?? []);
  const users = dataset.users;
  const rawDeals = dataset.deals ?? [];
  const activities = dataset.activities ?? [];

  // ---- Teams and owners ----------------------------------------------------------------
  const teams = (dataset.teams ?? []).map((t, i): HubspotTeam & { canonical: string; managerId: string | undefined; members: string[] } => ({
    id: String(TEAM_ID_BASE + i * 3 + (mix32(seed, 1_000_000 + i) % 3)),
    name: t.name,
    canonical: t.id,
    managerId: t.managerId,
    members: t.members.flatMap((m) => {
      if (typeof m === 'string') return [m];
      const ended = m.to !== undefined && canonicalTimeMs(m.to) <= nowAtSeed;
      return ended ? [] : [m.userId];
    }),
  }));
  // HubSpot has no manager field; the convention the connector reads (connectors/hubspot
  // BEHAVIOR.md) is that a manager belongs to the teams they oversee as a NON-primary member,
  // and a person's primary team is the one they are a member of.
  const managerTeams = teamsForManagerLinks(dataset, teams, nowAtSeed, seed);
  const teamsOfUser = new Map<string, { id: string; name: string; manages: boolean }[]>();
  for (const t of [...teams, ...managerTeams]) {
    const entries: Array<[string, boolean]> = [...t.members.map((m): [string, boolean] => [m, false]), ...(t.managerId && !t.members.includes(t.managerId) ? [[t.managerId, true] as [string, boolean]] : [])];
    for (const [userId, manages] of entries) {
      const list = teamsOfUser.get(userId) ?? [];
      if (!list.some((x) => x.id === t.id)) list.push({ id: t.id, name: t.name, manages });
      teamsOfUser.set(userId, list);
    }
  }
  const ownerIndex = new Map<string, number>();
  const owners: HubspotOwner[] = users.map((u, i) => {
    ownerIndex.set(u.id, i);
    const [firstName = u.name, ...rest] = u.name.split(' ');
    const created = u.startDate ? Math.min(canonicalTimeMs(u.startDate), nowAtSeed - DAY_MS) : nowAtSeed - 365 * DAY_MS;
    const archived = u.active === false || (u.endDate !== undefined && canonicalTimeMs(u.endDate) <= nowAtSeed);
    return {
      id: OWNER_ID_BASE + i * 7 + (mix32(seed, 2_000_000 + i) % 7),
      userId: USER_ID_BASE + i * 13 + (mix32(seed, 3_000_000 + i) % 13),
      email: u.email ?? `${snakeCase(u.id)}@${snakeCase(tenantId)}.example`,
      firstName,
      lastName: rest.join(' '),
      createdMs: created,
      updatedMs: created,
      archived,
      teams: (() => {
        const list = teamsOfUser.get(u.id) ?? [];
        const primaryId = list.find((t) => !t.manages)?.id;
        return list.map((t) => ({ id: t.id, name: t.name, primary: t.id === primaryId }));
      })(),
    };
  });
  const ownerIdOf = (userId: string): string | null => {
    const i = ownerIndex.get(userId);
    return i === undefined ? null : String(owners[i]!.id);
  };

  // ---- Pipelines and stages ------------------------------------------------------------
  const stageExternal = new Map<string, string>(); // "<pipeline>/<stage>" → HubSpot stage id
  const stageOutcome = new Map<string, string>(); // HubSpot stage id → open|won|lost
  const stagePairs: [string, string][] = [];
  let customStage = 0;
  const pipelines: HubspotPipeline[] = dataset.pipelines.map((p, pi) => {
    // The first pipeline is the portal's default one; HubSpot gives its stages readable ids, custom pipelines numeric ones.
    const id = pi === 0 ? 'default' : String(CUSTOM_PIPELINE_ID_BASE + pi);
    const used = new Set<string>();
    const stages = p.stages.map((s, si): HubspotStage => {
      let sid: string;
      if (pi === 0) {
        const slug = s.id.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || `stage${si}`;
        sid = used.has(slug) ? `${slug}${si}` : slug;
        used.add(sid);
      } else sid = String(CUSTOM_STAGE_ID_BASE + ++customStage);
      stageExternal.set(`${p.id}/${s.id}`, sid);
      stageOutcome.set(sid, s.outcome ?? 'open');
      stagePairs.push([`${p.id}/${s.id}`, sid]);
      return { id: sid, label: s.name, displayOrder: si, probability: formatProbability(s.probability, s.outcome), isClosed: s.outcome === 'won' || s.outcome === 'lost' };
    });
    return { id, label: p.name, displayOrder: pi, stages };
  });
  const pipelineExternal = new Map(dataset.pipelines.map((p, i) => [p.id, pipelines[i]!.id]));
  const stageLookup = new Map<string, { pipeline: HubspotPipeline; stage: HubspotStage }>();
  for (const pipeline of pipelines) for (const stage of pipeline.stages) stageLookup.set(stage.id, { pipeline, stage });

  const amountInHomeCurrency = (amount: string | null, currency: string | null, atMs: number): string | null => {
    if (amount === null || amount === '' || currency === null) return null;
    const value = parseDecimal(amount);
    const rate = fx.rateAt(currency, atMs);
    if (!value || rate === undefined) return null;
    return multiply(value, parseDecimal(hubspotRate(rate))!).toFixed();
  };

  // ---- Deals ----------------------------------------------------------------------------
  const clampFuture = (ms: number, i: number): number => (ms < nowAtSeed ? ms : nowAtSeed - 1 - (mix32(seed ^ 0x5eed, i) % DAY_MS));
  const dealUpdated = (d: RawDeal, i: number): number => {
    const sv = d.sourceVersion ? Date.parse(d.sourceVersion) : Number.NaN;
    const last = d.stageHistory?.length ? canonicalTimeMs(d.stageHistory[d.stageHistory.length - 1]!.enteredAt) : canonicalTimeMs(d.createdDate);
    return clampFuture(Number.isFinite(sv) ? sv : last, i);
  };
  // Stage lookups run once per deal per search filter; a lazily built column saves the string keys.
  let stageColumn: string[] | undefined;
  const dealStageAt = (i: number): string => {
    if (!stageColumn) stageColumn = rawDeals.map((d) => stageExternal.get(`${d.pipelineId}/${d.stageId}`) ?? d.stageId);
    return stageColumn[i]!;
  };
  const customDealProps = new Set<string>();
  for (let i = 0; i < Math.min(rawDeals.length, 1000); i++) for (const k of Object.keys(rawDeals[i]!.properties ?? {})) if (k !== 'dealType') customDealProps.add(snakeCase(k));
  const customByName = new Map([...customDealProps].map((snake) => [snake, snake]));
  const canonicalPropOf = new Map<string, string>();
  for (let i = 0; i < Math.min(rawDeals.length, 1000); i++) for (const k of Object.keys(rawDeals[i]!.properties ?? {})) canonicalPropOf.set(snakeCase(k), k);

  const dealProperties = new Map<string, PropertyType>(DEAL_PROPERTIES);
  for (const name of customByName.keys()) dealProperties.set(name, 'string');

  const deals = new RecordStore({
    objectType: 'deals',
    properties: dealProperties,
    dynamicProperties: [{ prefix: 'hs_date_entered_', type: 'datetime' }],
    defaultProperties: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
    createdProperty: 'createdate',
    seeded: {
      count: rawDeals.length,
      value(i, name) {
        const d = rawDeals[i]!;
        switch (name) {
          case 'dealname':
            return d.name ?? '';
          case 'amount':
            return String(d.amount);
          case 'dealstage':
            return dealStageAt(i);
          case 'pipeline':
            return pipelineExternal.get(d.pipelineId) ?? d.pipelineId;
          case 'closedate':
            return iso(canonicalTimeMs(d.closeDate));
          case 'hubspot_owner_id':
            return ownerIdOf(d.ownerId);
          case 'deal_currency_code':
            return d.currency;
          case 'amount_in_home_currency':
            return amountInHomeCurrency(String(d.amount), d.currency, canonicalTimeMs(d.closeDate));
          case 'hs_is_closed':
            return String(stageOutcome.get(dealStageAt(i)) !== 'open');
          case 'hs_is_closed_won':
            return String(stageOutcome.get(dealStageAt(i)) === 'won');
          case 'hs_is_closed_lost':
            return String(stageOutcome.get(dealStageAt(i)) === 'lost');
          case 'hs_deal_stage_probability':
            return stageLookup.get(dealStageAt(i))?.stage.probability ?? null;
          case 'dealtype': {
            const t = d.properties?.['dealType'];
            return t === undefined ? null : t === 'new-business' ? 'newbusiness' : 'existingbusiness';
          }
          case 'description':
            return null;
        }
        if (name.startsWith('hs_date_entered_')) {
          const stageId = name.slice('hs_date_entered_'.length);
          let found: string | null = null;
          for (const h of d.stageHistory ?? []) if (stageExternal.get(`${d.pipelineId}/${h.stageId}`) === stageId) found = iso(clampFuture(canonicalTimeMs(h.enteredAt), i));
          return found;
        }
        const canonical = canonicalPropOf.get(name);
        if (canonical !== undefined) return d.properties?.[canonical] ?? null;
        return undefined;
      },
      history(i, name): HistoryEntry[] | undefined {
        if (name !== 'dealstage') return undefined;
        const d = rawDeals[i]!;
        return (d.stageHistory ?? []).map((h) => ({ value: stageExternal.get(`${d.pipelineId}/${h.stageId}`) ?? h.stageId, timestampMs: clampFuture(canonicalTimeMs(h.enteredAt), i), sourceType: 'CRM_UI' }));
      },
    },
    seededColumns: (i) => {
      const d = rawDeals[i]!;
      const updated = dealUpdated(d, i);
      return [sparseId(DEAL_ID_BASE, seed, i), Math.min(canonicalTimeMs(d.createdDate), updated), updated];
    },
  });
  const dealIndexByCanonical = new Map<string, number>();
  const dealIndexOf = (canonicalId: string): number | undefined => {
    if (dealIndexByCanonical.size === 0) rawDeals.forEach((d, i) => dealIndexByCanonical.set(d.id, i));
    return dealIndexByCanonical.get(canonicalId);
  };

  // ---- Deal splits ------------------------------------------------------------------------
  // HubSpot splits share the deal's amount: they total 1.0 and include the owner. Overlay
  // credit (extra people on top) has no HubSpot equivalent and is not seeded (BEHAVIOR.md).
  const dealSplitsEnabled = options.dealSplits !== false;
  const splitsByDeal = new Map<number, HubspotDealSplit[]>();
  let splitCount = 0;
  if (dealSplitsEnabled) {
    rawDeals.forEach((d, i) => {
      const revenue = (d.splits ?? []).filter((x) => (x.type ?? 'revenue') === 'revenue');
      if (revenue.length === 0) return;
      const shares = revenue.map((x) => ({ ownerId: ownerIdOf(x.userId), share: parseDecimal(String(x.percent))?.dividedBy(100) }));
      const total = shares.reduce((sum, x) => (x.share ? sum.plus(x.share) : sum), parseDecimal('0')!);
      if (shares.some((x) => x.ownerId === null || !x.share) || !total.eq(1) || !revenue.some((x) => x.userId === d.ownerId)) {
        throw new RangeError(`deal ${d.id}: HubSpot deal splits must name known users, include the deal owner and total 100 %; fix the deal's revenue splits`);
      }
      const created = Math.min(canonicalTimeMs(d.createdDate), nowAtSeed - 1);
      splitsByDeal.set(i, shares.map((x) => ({ id: String(sparseId(SPLIT_ID_BASE, seed ^ 0x5b11, splitCount++)), ownerId: x.ownerId!, percentage: x.share!.toFixed(), createdMs: created })));
    });
  }

  // ---- Engagements ------------------------------------------------------------------------
  const byType: Record<EngagementType, number[]> = { calls: [], emails: [], meetings: [], tasks: [] };
  activities.forEach((a, k) => {
    const type = ACTIVITY_TYPE_TO_ENGAGEMENT[a.type];
    if (type) byType[type].push(k);
  });
  const links = {} as Record<EngagementType, AssociationLinks>;
  const engagements = {} as Record<EngagementType, RecordStore>;
  for (const type of ENGAGEMENT_TYPES) {
    const rows = byType[type];
    const typeSeed = seed ^ stableHash(type);
    const status = ACTIVITY_STATUS[type];
    const engagementValue = (a: RawActivity, name: string): string | null | undefined => {
      // hs_timestamp may lie ahead (a meeting next week, a task's due date); only the
      // create/modify stamps are kept before "now".
      const at = iso(canonicalTimeMs(a.occurredAt));
      if (name === 'hs_timestamp') return at;
      if (name === 'hubspot_owner_id') return ownerIdOf(a.userId);
      if (name === status.property) return status.values[a.status ?? 'completed'] ?? null;
      switch (name) {
        case 'hs_call_title':
          return `Call ${a.id}`;
        case 'hs_email_subject':
          return `Email ${a.id}`;
        case 'hs_meeting_title':
          return `Meeting ${a.id}`;
        case 'hs_meeting_start_time':
          return at;
        case 'hs_meeting_end_time':
          return iso(Date.parse(at) + 30 * 60_000);
        case 'hs_task_subject':
          return `Task ${a.id}`;
        case 'hs_task_type':
          return 'TODO';
        case 'hs_task_priority':
          return 'MEDIUM';
        case 'hs_call_direction':
        case 'hs_email_direction':
          return type === 'emails' ? 'EMAIL' : 'OUTBOUND';
      }
      return ENGAGEMENT_PROPERTIES[type].some(([n]) => n === name) ? null : undefined;
    };
    engagements[type] = new RecordStore({
      objectType: type,
      properties: new Map(ENGAGEMENT_PROPERTIES[type]),
      defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
      createdProperty: 'hs_createdate',
      seeded: { count: rows.length, value: (i, name) => engagementValue(activities[rows[i]!]!, name) },
      seededColumns: (i) => {
        const at = clampFuture(canonicalTimeMs(activities[rows[i]!]!.occurredAt), i);
        return [sparseId(ENGAGEMENT_ID_BASE[type], typeSeed, i), at, at];
      },
    });
    const ids = ENGAGEMENT_ASSOCIATION_TYPES[type];
    links[type] = new AssociationLinks(type, ids.dealTo, ids.toDeal);
    rows.forEach((k, i) => {
      const dealId = activities[k]!.dealId;
      const di = dealId === undefined ? undefined : dealIndexOf(dealId);
      if (di !== undefined) links[type].add(di, i);
    });
  }

  // ---- Goal targets from quotas (latest version of each assignee/measure/period) -------
  const latest = new Map<string, RawQuota>();
  for (const q of dataset.quotas ?? []) {
    const key = `${q.userId ?? ''}|${q.teamId ?? ''}|${q.measure ?? 'revenue'}|${q.period}`;
    const seen = latest.get(key);
    if (!seen || (q.version ?? 1) > (seen.version ?? 1)) latest.set(key, q);
  }
  const quotas = [...latest.values()].filter((q) => (q.userId === undefined || ownerIndex.has(q.userId)) && (q.userId !== undefined || q.teamId !== undefined));
  const teamById = new Map(teams.map((t) => [t.canonical, t]));
  const goalWindows = quotas.map((q) => quotaWindow(dataset, q.period));
  const goalTargets = new RecordStore({
    objectType: 'goal_targets',
    properties: GOAL_PROPERTIES,
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    seeded: {
      count: quotas.length,
      value(i, name) {
        const q = quotas[i]!;
        const measure = String(q.measure ?? 'revenue');
        const owner = q.userId === undefined ? undefined : owners[ownerIndex.get(q.userId)!];
        const window = goalWindows[i]!;
        const currency = q.currency ?? home;
        switch (name) {
          case 'hs_goal_name':
            return MEASURE_GOAL_NAMES[measure] ?? measure;
          case 'hs_target_amount':
            return String(q.target);
          case 'hs_goal_target_currency_code':
            return measure === 'revenue' ? currency : null;
          case 'hs_target_amount_in_home_currency':
            return measure === 'revenue' ? amountInHomeCurrency(String(q.target), currency, canonicalTimeMs(window.start)) : String(q.target);
          case 'hs_start_datetime':
            return iso(canonicalTimeMs(window.start));
          case 'hs_end_datetime':
            return iso(canonicalTimeMs(window.end) - 1);
          case 'hs_assignee_user_id':
            return owner ? String(owner.userId) : null;
          case 'hs_assignee_team_id':
            return q.teamId !== undefined ? (teamById.get(q.teamId)?.id ?? null) : null;
          case 'hubspot_owner_id':
            return owner ? String(owner.id) : null;
          case 'hs_group_correlation_uuid':
            return stableUuid(`${tenantId}|goal|${measure}`);
          case 'hs_goal_target_group_id':
            return String(50_000_000 + (stableHash(`${measure}|${q.userId ?? ''}|${q.teamId ?? ''}`) % 900_000_000));
        }
        return undefined;
      },
    },
    seededColumns: (i) => {
      const q = quotas[i]!;
      const created = Math.min(q.effectiveFrom ? canonicalTimeMs(q.effectiveFrom) : canonicalTimeMs(goalWindows[i]!.start) - 30 * DAY_MS, nowAtSeed - DAY_MS);
      return [sparseId(GOAL_ID_BASE, seed ^ 0x60a1, i), created, created];
    },
  });

  // ---- Currencies -------------------------------------------------------------------------
  const exchangeRates: ExchangeRate[] = fx.currencies().flatMap((c) =>
    fx.history(c).map((p, k) => ({ id: String(90_000_000 + (stableHash(c) % 1_000_000) * 100 + k), fromCurrencyCode: c, toCurrencyCode: home, conversionRate: hubspotRate(p.rate), effectiveMs: p.effectiveMs })),
  );

  // ---- Id map -------------------------------------------------------------------------------
  const activityTable: IdTable = (() => {
    const pairs: [string, string][] = [];
    for (const type of ENGAGEMENT_TYPES) byType[type].forEach((k, i) => pairs.push([activities[k]!.id, engagements[type].idAt(i)]));
    return arrayIdTable(pairs);
  })();
  const dealTable: IdTable = {
    size: rawDeals.length,
    canonicalAt: (i) => rawDeals[i]!.id,
    externalAt: (i) => deals.idAt(i),
    indexOfExternal: (id) => {
      const i = deals.indexOf(id);
      return i !== undefined && i < rawDeals.length ? i : undefined;
    },
  };
  const idMap = new TableIdMap({
    user: arrayIdTable(users.map((u, i) => [u.id, String(owners[i]!.id)] as const)),
    team: arrayIdTable(teams.map((t) => [t.canonical, t.id] as const)),
    pipeline: arrayIdTable(dataset.pipelines.map((p, i) => [p.id, pipelines[i]!.id] as const)),
    stage: arrayIdTable(stagePairs),
    deal: dealTable,
    activity: activityTable,
    quota: arrayIdTable(quotas.map((q, i) => [q.id, goalTargets.idAt(i)] as const)),
  });

  let clock = nowAtSeed;
  const ownerByIdMap = new Map(owners.map((o) => [String(o.id), o]));
  const stores = new Map<string, RecordStore>([['deals', deals], ['goal_targets', goalTargets], ...ENGAGEMENT_TYPES.map((t) => [t, engagements[t]] as const)]);
  return {
    portalId,
    hubDomain: `${snakeCase(tenantId).replace(/_/g, '-')}.hubspot.example`,
    companyCurrency: home,
    createdMs: nowAtSeed - 400 * DAY_MS,
    owners,
    pipelines,
    exchangeRates,
    dealSplitsEnabled,
    splitsOfDeal: (i) => splitsByDeal.get(i) ?? [],
    deals,
    engagements,
    goalTargets,
    links,
    idMap,
    now() {
      clock = Math.max(Date.now(), clock + 1);
      return clock;
    },
    store: (objectType) => stores.get(objectType),
    ownerById: (id) => ownerByIdMap.get(id),
    stageById: (stageId) => stageLookup.get(stageId),
    amountInHomeCurrency,
  };
}

/**
 * Reporting lines that no canonical team carries (a VP over the team managers, an SE who
 * reports to the VP) become one extra team per manager, so the connector's team convention
 * can read them back: the reports are its members, the manager a non-primary member.
 * A person already in a team keeps that team as their primary one (HubSpot has one).
 */
function teamsForManagerLinks(
  dataset: RawDataset,
  teams: ReadonlyArray<{ readonly managerId: string | undefined; readonly members: readonly string[] }>,
  nowMs: number,
  seed: number,
): Array<HubspotTeam & { managerId: string; members: string[] }> {
  const current = new Map<string, { managerId: string | null; from: string }>();
  for (const l of dataset.managers ?? []) {
    if (canonicalTimeMs(l.from) > nowMs || (l.to !== undefined && canonicalTimeMs(l.to) <= nowMs)) continue;
    const seen = current.get(l.userId);
    if (!seen || seen.from <= l.from) current.set(l.userId, { managerId: l.managerId, from: l.from });
  }
  const inTeam = new Set(teams.flatMap((t) => t.members));
  const reportsOf = new Map<string, string[]>();
  for (const [userId, line] of current) {
    if (line.managerId === null || inTeam.has(userId)) continue;
    reportsOf.set(line.managerId, [...(reportsOf.get(line.managerId) ?? []), userId]);
  }
  const nameOf = new Map(dataset.users.map((u) => [u.id, u.name]));
  return [...reportsOf.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([managerId, members], k) => ({
      id: String(TEAM_ID_BASE + 500_000 + k * 3 + (mix32(seed, 4_000_000 + k) % 3)),
      name: `${nameOf.get(managerId) ?? managerId}'s reports`,
      managerId,
      members,
    }));
}
