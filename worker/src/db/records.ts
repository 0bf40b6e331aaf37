import { sql, type Transaction } from 'kysely';
import { SharedStrings } from '../../../shared/src/input/shared-strings.js';
import { Decimal } from '../../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../../shared/src/money/currency.js';
import type { Activity } from '../../../shared/src/domain/activities.js';
import type { Deal, Pipeline } from '../../../shared/src/domain/deals.js';
import type { FxRate } from '../../../shared/src/domain/fx.js';
import type { DealId, PipelineId, StageId, UserId } from '../../../shared/src/domain/ids.js';
import type { ManagerLink, Team, User } from '../../../shared/src/domain/people.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import { contentHash } from './content-hash.js';
import type { Db } from './database.js';
import type { DatabaseSchema } from './schema.js';

type Tx = Transaction<DatabaseSchema> | Db;

/**
 * Idempotent writes of canonical records. Every upsert obeys two rules: an older version
 * never overwrites a newer one (`source_modified_at` only moves forward), and a write that
 * would change nothing is skipped (the content hash is equal). Each returns what actually
 * changed, with the previous state, so the caller can recompute exactly who is affected.
 */
export interface Versioned<T> {
  readonly record: T;
  /** The source system's modification time (ISO timestamp). */
  readonly modifiedAt: string;
  /** A tombstone: the record was deleted or archived at the source. */
  readonly deleted?: boolean;
}

export interface RecordChange<T> {
  readonly id: string;
  readonly before: T | undefined;
  readonly after: T | undefined;
}

function dealRow(tenantId: string, v: Versioned<Deal>) {
  const d = v.record;
  return {
    tenant_id: tenantId,
    id: d.id,
    name: d.name,
    pipeline_id: d.pipelineId,
    stage_id: d.stageId,
    amount: d.amount.toString(),
    currency: d.currency,
    close_date: d.closeDate,
    created_date: d.createdDate,
    owner_id: d.ownerId,
    properties: JSON.stringify(d.properties),
    stage_history: JSON.stringify(d.stageHistory),
    source_version: d.sourceVersion,
    source_modified_at: v.modifiedAt,
    data_hash: contentHash({ deal: d, deleted: v.deleted === true }),
    deleted_at: v.deleted ? v.modifiedAt : null,
  };
}

export async function loadDeals(tx: Tx, tenantId: string, ids?: readonly string[]): Promise<Map<string, Deal>> {
  if (ids && ids.length === 0) return new Map();
  let query = tx.selectFrom('deals').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
  if (ids) query = query.where('id', 'in', ids);
  const rows = await query.execute();
  let splitQuery = tx.selectFrom('deal_splits').selectAll().where('tenant_id', '=', tenantId);
  if (ids) splitQuery = splitQuery.where('deal_id', 'in', ids);
  const splits = new Map<string, Deal['splits'][number][]>();
  for (const s of await splitQuery.orderBy('deal_id').orderBy('split_type').orderBy('user_id').execute()) {
    const list = splits.get(s.deal_id) ?? [];
    list.push({ userId: s.user_id as UserId, type: s.split_type, percent: new Decimal(s.percent) });
    splits.set(s.deal_id, list);
  }
  const shared = new SharedStrings();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id as DealId,
        name: r.name,
        pipelineId: shared.of(r.pipeline_id) as PipelineId,
        stageId: shared.of(r.stage_id) as StageId,
        amount: new Decimal(r.amount),
        currency: shared.of(r.currency) as CurrencyCode,
        closeDate: shared.of(r.close_date) as IsoDate,
        createdDate: shared.of(r.created_date) as IsoDate,
        ownerId: shared.of(r.owner_id) as UserId,
        splits: splits.get(r.id) ?? [],
        properties: r.properties as unknown as Record<string, string>,
        stageHistory: (r.stage_history as unknown as Array<{ stageId: StageId; enteredAt: IsoDate }>) ?? [],
        sourceVersion: r.source_version,
      },
    ]),
  );
}

/** Upserts deals (and replaces their splits) under the version and no-op rules. */
export async function upsertDeals(tx: Tx, tenantId: string, items: readonly Versioned<Deal>[]): Promise<RecordChange<Deal>[]> {
  const latest = latestById(items, (v) => v.record.id);
  if (latest.length === 0) return [];
  const before = await loadDeals(tx, tenantId, latest.map((v) => v.record.id));
  const written = await tx
    .insertInto('deals')
    .values(latest.map((v) => dealRow(tenantId, v)))
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          pipeline_id: eb.ref('excluded.pipeline_id'),
          stage_id: eb.ref('excluded.stage_id'),
          amount: eb.ref('excluded.amount'),
          currency: eb.ref('excluded.currency'),
          close_date: eb.ref('excluded.close_date'),
          created_date: eb.ref('excluded.created_date'),
          owner_id: eb.ref('excluded.owner_id'),
          properties: eb.ref('excluded.properties'),
          stage_history: eb.ref('excluded.stage_history'),
          source_version: eb.ref('excluded.source_version'),
          source_modified_at: eb.ref('excluded.source_modified_at'),
          data_hash: eb.ref('excluded.data_hash'),
          deleted_at: eb.ref('excluded.deleted_at'),
          updated_at: sql`now()`,
        }))
        .where(sql<boolean>`deals.data_hash is distinct from excluded.data_hash`)
        .where(sql<boolean>`deals.source_modified_at <= excluded.source_modified_at`),
    )
    .returning('id')
    .execute();
  const writtenIds = written.map((r) => r.id);
  if (writtenIds.length === 0) return [];
  await tx.deleteFrom('deal_splits').where('tenant_id', '=', tenantId).where('deal_id', 'in', writtenIds).execute();
  const byId = new Map(latest.map((v) => [v.record.id as string, v]));
  const splitRows = writtenIds.flatMap((id) => {
    const v = byId.get(id)!;
    return v.deleted ? [] : v.record.splits.map((s) => ({ tenant_id: tenantId, deal_id: id, user_id: s.userId, split_type: s.type, percent: s.percent.toString() }));
  });
  if (splitRows.length > 0) await tx.insertInto('deal_splits').values(splitRows).execute();
  return writtenIds.sort().map((id) => {
    const v = byId.get(id)!;
    return { id, before: before.get(id), after: v.deleted ? undefined : v.record };
  });
}

export async function upsertUsers(tx: Tx, tenantId: string, items: readonly Versioned<User>[]): Promise<string[]> {
  const latest = latestById(items, (v) => v.record.id);
  if (latest.length === 0) return [];
  const rows = latest.map((v) => ({
    tenant_id: tenantId,
    id: v.record.id,
    name: v.record.name,
    email: v.record.email ?? null,
    active: v.record.active,
    start_date: v.record.startDate ?? null,
    end_date: v.record.endDate ?? null,
    pay_currency: v.record.payCurrency,
    source_modified_at: v.modifiedAt,
    data_hash: contentHash({ user: v.record, deleted: v.deleted === true }),
    deleted_at: v.deleted ? v.modifiedAt : null,
  }));
  const written = await tx
    .insertInto('users')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          active: eb.ref('excluded.active'),
          start_date: eb.ref('excluded.start_date'),
          end_date: eb.ref('excluded.end_date'),
          pay_currency: eb.ref('excluded.pay_currency'),
          source_modified_at: eb.ref('excluded.source_modified_at'),
          data_hash: eb.ref('excluded.data_hash'),
          deleted_at: eb.ref('excluded.deleted_at'),
          updated_at: sql`now()`,
        }))
        .where(sql<boolean>`users.data_hash is distinct from excluded.data_hash`)
        .where(sql<boolean>`users.source_modified_at is null or users.source_modified_at <= excluded.source_modified_at`),
    )
    .returning('id')
    .execute();
  return written.map((r) => r.id).sort();
}

export async function upsertActivities(tx: Tx, tenantId: string, items: readonly Versioned<Activity>[]): Promise<RecordChange<Activity>[]> {
  const latest = latestById(items, (v) => v.record.id);
  if (latest.length === 0) return [];
  const previous = new Map(
    (await tx.selectFrom('activities').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', latest.map((v) => v.record.id)).where('deleted_at', 'is', null).execute()).map((r) => [r.id, rowToActivity(r)]),
  );
  const written = await tx
    .insertInto('activities')
    .values(
      latest.map((v) => ({
        tenant_id: tenantId,
        id: v.record.id,
        type: v.record.type,
        status: v.record.status,
        user_id: v.record.userId,
        deal_id: v.record.dealId ?? null,
        occurred_at: v.record.occurredAt,
        source_modified_at: v.modifiedAt,
        data_hash: contentHash({ activity: v.record, deleted: v.deleted === true }),
        deleted_at: v.deleted ? v.modifiedAt : null,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({
          type: eb.ref('excluded.type'),
          status: eb.ref('excluded.status'),
          user_id: eb.ref('excluded.user_id'),
          deal_id: eb.ref('excluded.deal_id'),
          occurred_at: eb.ref('excluded.occurred_at'),
          source_modified_at: eb.ref('excluded.source_modified_at'),
          data_hash: eb.ref('excluded.data_hash'),
          deleted_at: eb.ref('excluded.deleted_at'),
        }))
        .where(sql<boolean>`activities.data_hash is distinct from excluded.data_hash`)
        .where(sql<boolean>`activities.source_modified_at <= excluded.source_modified_at`),
    )
    .returning('id')
    .execute();
  const byId = new Map(latest.map((v) => [v.record.id as string, v]));
  return written
    .map((r) => r.id)
    .sort()
    .map((id) => ({ id, before: previous.get(id), after: byId.get(id)!.deleted ? undefined : byId.get(id)!.record }));
}

function rowToActivity(r: DatabaseSchema['activities'] extends infer T ? { [K in keyof T]: unknown } : never): Activity {
  return {
    id: r.id as Activity['id'],
    type: r.type as Activity['type'],
    status: r.status as Activity['status'],
    userId: r.user_id as UserId,
    dealId: (r.deal_id ?? undefined) as DealId | undefined,
    occurredAt: r.occurred_at as IsoDate,
  };
}

export async function upsertPipelines(tx: Tx, tenantId: string, pipelines: readonly Pipeline[]): Promise<void> {
  if (pipelines.length === 0) return;
  await tx
    .insertInto('pipelines')
    .values(
      pipelines.map((p) => ({
        tenant_id: tenantId,
        id: p.id,
        name: p.name,
        stages: JSON.stringify(p.stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability.toString(), outcome: s.outcome }))),
        data_hash: contentHash(p),
        deleted_at: null,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), stages: eb.ref('excluded.stages'), data_hash: eb.ref('excluded.data_hash'), deleted_at: null }))
        .where(sql<boolean>`pipelines.data_hash is distinct from excluded.data_hash`),
    )
    .execute();
}

/**
 * The tenant's reporting lines, by user and start date; with `forChainsOf`, only those of
 * these people and everyone above them at any date (what a Hierarchy needs to answer for
 * them), read by one recursive query instead of the whole org chart.
 */
export async function loadManagerLinks(tx: Tx, tenantId: string, forChainsOf?: readonly string[]): Promise<ManagerLink[]> {
  let query = tx.selectFrom('manager_links').selectAll().where('tenant_id', '=', tenantId);
  if (forChainsOf) {
    if (forChainsOf.length === 0) return [];
    // `union` (not `union all`) ends the walk on a cycle in bad CRM data.
    const chain = sql<string>`(
      with recursive chain(user_id) as (
        select unnest(${sql.val([...forChainsOf])}::text[])
        union
        select ml.manager_id from manager_links ml join chain c on ml.user_id = c.user_id
        where ml.tenant_id = ${tenantId} and ml.manager_id is not null
      ) select user_id from chain)`;
    query = query.where('user_id', 'in', chain);
  }
  const rows = await query.orderBy('user_id').orderBy('valid_from').execute();
  return rows.map((l) => ({ userId: l.user_id as UserId, managerId: l.manager_id as UserId | null, from: l.valid_from as IsoDate, to: (l.valid_to ?? undefined) as IsoDate | undefined }));
}

/** Reporting lines are replaced per user: the source sends the whole history it knows. */
export async function replaceManagerLinks(tx: Tx, tenantId: string, userIds: readonly string[], links: readonly ManagerLink[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx.deleteFrom('manager_links').where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).execute();
  if (links.length === 0) return;
  await tx
    .insertInto('manager_links')
    .values(links.map((l) => ({ tenant_id: tenantId, user_id: l.userId, manager_id: l.managerId, valid_from: l.from, valid_to: l.to ?? null })))
    .execute();
}

export async function replaceTeams(tx: Tx, tenantId: string, teams: readonly Team[]): Promise<void> {
  for (const team of teams) {
    await tx
      .insertInto('teams')
      .values({ tenant_id: tenantId, id: team.id, name: team.name, manager_id: team.managerId ?? null, data_hash: contentHash(team) })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), manager_id: eb.ref('excluded.manager_id'), data_hash: eb.ref('excluded.data_hash') })))
      .execute();
    await tx.deleteFrom('team_members').where('tenant_id', '=', tenantId).where('team_id', '=', team.id).execute();
    if (team.members.length > 0) {
      await tx
        .insertInto('team_members')
        .values(team.members.map((m) => ({ tenant_id: tenantId, team_id: team.id, user_id: m.userId, valid_from: m.from, valid_to: m.to ?? null })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
}

export async function upsertFxRates(tx: Tx, tenantId: string, rates: readonly FxRate[]): Promise<void> {
  if (rates.length === 0) return;
  await tx
    .insertInto('fx_rates')
    .values(rates.map((r) => ({ tenant_id: tenantId, from_currency: r.from, to_currency: r.to, rate_date: r.date, source: r.source, rate: r.rate.toString() })))
    .onConflict((oc) => oc.columns(['tenant_id', 'from_currency', 'to_currency', 'rate_date', 'source']).doUpdateSet((eb) => ({ rate: eb.ref('excluded.rate') })))
    .execute();
}

/** Keeps, per id, the item with the latest modification time (ties: the last one given). */
function latestById<T extends Versioned<unknown>>(items: readonly T[], id: (v: T) => string): T[] {
  const best = new Map<string, T>();
  for (const item of items) {
    const current = best.get(id(item));
    if (!current || Date.parse(current.modifiedAt) <= Date.parse(item.modifiedAt)) best.set(id(item), item);
  }
  return [...best.values()];
}
