import type { Quota } from '../../shared/src/domain/quotas.js';
import { parseCurrency } from '../../shared/src/money/currency.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import { resolvePeriod } from '../../shared/src/time/period.js';
import { writeSyncPage } from '../core/sync-sink.js';
import { loadManagerLinks } from '../../worker/src/db/records.js';
import { mapGoal, GOAL_PROPERTIES } from './map-goals.js';
import { mapPipeline, type HsPipeline } from './map-pipelines.js';
import { FAR_PAST, managerLinkChanges, peopleFromOwners, type HsOwner } from './map-people.js';
import { utcDate, type HsObject } from './hubspot-values.js';
import { reportProblems, type StreamResult, type SyncEnv } from './sync-env.js';
import type { Team } from '../../shared/src/domain/people.js';
import { HubspotApiError } from './api-errors.js';
import { readExchangeRates } from './exchange-rates.js';
import type { FxRate } from '../../shared/src/domain/fx.js';

/**
 * Owners, pipelines and goals are small (hundreds of rows) and have no modification
 * search; each run reads them whole and writes what changed as one page, so the
 * tenant-wide recompute is requested only when something did change.
 */

const OWNER_PAGE = 500;

export async function readAllOwners(env: SyncEnv): Promise<HsOwner[]> {
  const owners: HsOwner[] = [];
  for (const archived of [false, true]) {
    let after: string | undefined;
    do {
      const page = await env.gateway.call('general', `listing ${archived ? 'archived ' : ''}owners`, (c) => c.crm.owners.ownersApi.getPage(undefined, after, OWNER_PAGE, archived));
      owners.push(...page.results.map((o) => ({ ...o, archived })));
      after = page.paging?.next?.after;
    } while (after);
  }
  // An owner both live and archived (re-activated) counts as live.
  const live = new Set(owners.filter((o) => !o.archived).map((o) => o.id));
  return owners.filter((o) => !o.archived || !live.has(o.id));
}

export async function syncOwners(env: SyncEnv): Promise<StreamResult> {
  const owners = await readAllOwners(env);
  const currency = parseCurrency(env.homeCurrency);
  if (!currency) throw new Error(`Tenant ${env.tenantId} has home currency "${env.homeCurrency}", which this app does not know`);
  const people = peopleFromOwners(owners, currency);
  const today = utcDate(env.now());
  const storedLinks = await loadManagerLinks(env.db, env.tenantId);
  const links = managerLinkChanges(people.managers, storedLinks, today);
  const teams = await changedTeams(env, people.teams, today);
  await writeSyncPage({ db: env.db, enqueue: env.enqueue }, { tenantId: env.tenantId, source: 'hubspot', object: 'owners' }, { phase: 'incremental', cursor: { readAt: new Date(env.now()).toISOString() } }, {
    users: people.users,
    ...(links.userIds.length > 0 ? { managerLinks: links } : {}),
    ...(teams.length > 0 ? { teams } : {}),
  }, env.cause);
  return { pages: 1, records: owners.length, skipped: 0 };
}

/** Teams whose name, manager or members differ from the stored ones; members keep the date they joined. */
async function changedTeams(env: SyncEnv, teams: readonly Team[], today: IsoDate): Promise<Team[]> {
  const stored = await env.db.selectFrom('teams').selectAll().where('tenant_id', '=', env.tenantId).execute();
  const members = await env.db.selectFrom('team_members').selectAll().where('tenant_id', '=', env.tenantId).where('valid_to', 'is', null).execute();
  const storedById = new Map(stored.map((t) => [t.id, t]));
  const firstSync = stored.length === 0;
  return teams.flatMap((t) => {
    const before = storedById.get(t.id);
    const beforeMembers = new Map(members.filter((m) => m.team_id === t.id).map((m) => [m.user_id, m.valid_from]));
    const same = before && before.name === t.name && (before.manager_id ?? undefined) === t.managerId && beforeMembers.size === t.members.length && t.members.every((m) => beforeMembers.has(m.userId));
    if (same) return [];
    return [{ ...t, members: t.members.map((m) => ({ ...m, from: (beforeMembers.get(m.userId) as IsoDate | undefined) ?? (firstSync ? FAR_PAST : today) })) }];
  });
}

export async function syncPipelines(env: SyncEnv): Promise<StreamResult> {
  const response = await env.gateway.call('general', 'reading deal pipelines', (c) => c.crm.pipelines.pipelinesApi.getAll('deals'));
  const problems: string[] = [];
  const pipelines = response.results.filter((p) => !p.archived).flatMap((p) => {
    const m = mapPipeline(p as unknown as HsPipeline);
    if (m.ok) return [m.value];
    problems.push(m.problem);
    return [];
  });
  reportProblems(env, 'pipelines', problems);
  // Compared field by field: jsonb hands stored stages back with its own key order.
  const key = (name: string, stages: ReadonlyArray<{ id: string; name: string; probability: unknown; outcome: string }>) => JSON.stringify([name, stages.map((s) => [s.id, s.name, String(s.probability), s.outcome])]);
  const storedRows = await env.db.selectFrom('pipelines').select(['id', 'name', 'stages']).where('tenant_id', '=', env.tenantId).execute();
  const stored = new Map(storedRows.map((r) => [r.id, key(r.name, r.stages as unknown as Array<{ id: string; name: string; probability: unknown; outcome: string }>)]));
  const changed = pipelines.filter((p) => stored.get(p.id) !== key(p.name, p.stages));
  // Exchange rates ride along: like pipelines they are a small settings snapshot, and a
  // changed rate moves pay tenant-wide, so only new or changed rates are written.
  const fxProblems: string[] = [];
  const rates = await readExchangeRates(env, fxProblems);
  reportProblems(env, 'exchange rates', fxProblems);
  const fxRates = rates ? await changedRates(env, rates) : [];
  await writeSyncPage({ db: env.db, enqueue: env.enqueue }, { tenantId: env.tenantId, source: 'hubspot', object: 'pipelines' }, { phase: 'incremental', cursor: { readAt: new Date(env.now()).toISOString() } }, { pipelines: changed, fxRates }, env.cause);
  return { pages: 1, records: pipelines.length + (rates?.length ?? 0), skipped: problems.length + fxProblems.length };
}

async function changedRates(env: SyncEnv, rates: readonly FxRate[]): Promise<FxRate[]> {
  const rows = await env.db.selectFrom('fx_rates').select(['from_currency', 'to_currency', 'rate_date', 'rate']).where('tenant_id', '=', env.tenantId).where('source', '=', 'hubspot').execute();
  const stored = new Map(rows.map((r) => [`${r.from_currency}>${r.to_currency}@${String(r.rate_date).slice(0, 10)}`, String(r.rate)]));
  return rates.filter((r) => {
    const before = stored.get(`${r.from}>${r.to}@${r.date}`);
    return before === undefined || !r.rate.eq(before);
  });
}

const GOAL_PAGE = 100;

export async function syncGoals(env: SyncEnv): Promise<StreamResult> {
  const goals: HsObject[] = [];
  let after: string | undefined;
  try {
    do {
      const page = await env.gateway.call('general', 'listing goal targets', (c) => c.crm.objects.goals.basicApi.getPage(GOAL_PAGE, after, [...GOAL_PROPERTIES], undefined, undefined, false));
      goals.push(...page.results);
      after = page.paging?.next?.after;
    } while (after);
  } catch (error) {
    // Goals are an optional scope (Sales Hub Pro and up): without it the sync goes on without quotas.
    if (error instanceof HubspotApiError && error.status === 403) {
      env.logger.warn({ tenantId: env.tenantId }, 'the app has no access to goals (crm.objects.goals.read not granted): quotas are not synced from HubSpot');
      return { pages: 0, records: 0, skipped: 0 };
    }
    throw error;
  }
  const owners = await readAllOwners(env);
  const ownerByUserId = new Map(owners.filter((o) => o.userId !== undefined).map((o) => [String(o.userId), o.id]));
  const problems: string[] = [];
  const mapped = goals.flatMap((g) => {
    const m = mapGoal(g, ownerByUserId, env.homeCurrency);
    if (m.ok) return [m.value];
    problems.push(m.problem);
    return [];
  });
  reportProblems(env, 'goals', problems);
  const quotas = await newQuotaVersions(env, mapped);
  await writeSyncPage({ db: env.db, enqueue: env.enqueue }, { tenantId: env.tenantId, source: 'hubspot', object: 'goals' }, { phase: 'incremental', cursor: { readAt: new Date(env.now()).toISOString() } }, { quotas }, env.cause);
  return { pages: 1, records: mapped.length, skipped: problems.length };
}

/**
 * Quota versions are append-only: a goal whose target (or owner, or period) changed
 * becomes a new version effective today; the first version is effective from its
 * period's start, so it applies to the whole period it was set for.
 */
async function newQuotaVersions(env: SyncEnv, goals: ReadonlyArray<Omit<Quota, 'version' | 'effectiveFrom'>>): Promise<Quota[]> {
  if (goals.length === 0) return [];
  const rows = await env.db.selectFrom('quotas').selectAll().where('tenant_id', '=', env.tenantId).where('id', 'in', goals.map((g) => g.id)).execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!latest.has(r.id) || latest.get(r.id)!.version < r.version) latest.set(r.id, r);
  const today = utcDate(env.now());
  return goals.flatMap((g) => {
    const prev = latest.get(g.id);
    const ownerId = 'userId' in g.owner ? g.owner.userId : null;
    const teamId = 'teamId' in g.owner ? g.owner.teamId : null;
    if (prev && g.target.eq(String(prev.target)) && prev.user_id === ownerId && prev.team_id === teamId && prev.period_id === g.period && (prev.currency ?? undefined) === g.currency) return [];
    const start = resolvePeriod(g.period)?.start ?? today;
    return [{ ...g, version: prev ? prev.version + 1 : 1, effectiveFrom: prev ? today : start }];
  });
}
