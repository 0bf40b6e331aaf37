import { SharedStrings } from '../../../shared/src/input/shared-strings.js';
import { Decimal } from '../../../shared/src/money/decimal.js';
import type { CurrencyCode } from '../../../shared/src/money/currency.js';
import type { Dataset } from '../../../shared/src/domain/dataset.js';
import type { Pipeline } from '../../../shared/src/domain/deals.js';
import type { ActivityId, DealId, PipelineId, QuotaId, StageId, TeamId, TenantId, UserId } from '../../../shared/src/domain/ids.js';
import type { Measure, Quota } from '../../../shared/src/domain/quotas.js';
import type { IsoDate } from '../../../shared/src/time/iso-date.js';
import type { PeriodId } from '../../../shared/src/time/period.js';
import type { Db } from './database.js';
import { loadDeals, loadManagerLinks } from './records.js';

function measureOf(key: string): Measure {
  if (key === 'revenue' || key === 'deal-count') return { kind: key };
  return { kind: 'activity', activityType: key.slice('activity:'.length) as never };
}

/**
 * Reads one tenant's canonical records into the engine's Dataset. Records were checked
 * when they were written; references may still dangle while a sync is under way (a deal
 * whose owner has not arrived yet), which the engine reports rather than trips over.
 */
export async function loadDataset(db: Db, tenantId: string): Promise<Dataset> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
  const [users, links, teams, members, pipelines, deals, activities, quotas, fx] = await Promise.all([
    db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).orderBy('id').execute(),
    loadManagerLinks(db, tenantId),
    db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute(),
    db.selectFrom('team_members').selectAll().where('tenant_id', '=', tenantId).orderBy('team_id').orderBy('user_id').orderBy('valid_from').execute(),
    db.selectFrom('pipelines').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).orderBy('id').execute(),
    loadDeals(db, tenantId),
    db.selectFrom('activities').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('quotas').selectAll().where('tenant_id', '=', tenantId).orderBy('id').orderBy('version').execute(),
    db.selectFrom('fx_rates').selectAll().where('tenant_id', '=', tenantId).execute(),
  ]);
  const home = tenant.home_currency as CurrencyCode;
  const shared = new SharedStrings();
  return {
    tenant: { id: tenant.id as TenantId, name: tenant.name, currency: home },
    calendar: { fiscalYearStartMonth: tenant.fiscal_year_start_month, customPeriods: [] },
    users: users.map((u) => ({
      id: u.id as UserId,
      name: u.name,
      email: u.email ?? undefined,
      active: u.active,
      startDate: (u.start_date ?? undefined) as IsoDate | undefined,
      endDate: (u.end_date ?? undefined) as IsoDate | undefined,
      payCurrency: u.pay_currency as CurrencyCode,
    })),
    managers: links,
    teams: teams.map((t) => ({
      id: t.id as TeamId,
      name: t.name,
      managerId: (t.manager_id ?? undefined) as UserId | undefined,
      members: members.filter((m) => m.team_id === t.id).map((m) => ({ userId: m.user_id as UserId, from: m.valid_from as IsoDate, to: (m.valid_to ?? undefined) as IsoDate | undefined })),
    })),
    pipelines: pipelines.map(
      (p): Pipeline => ({
        id: p.id as PipelineId,
        name: p.name,
        stages: (p.stages as unknown as Array<{ id: string; name: string; probability: string; outcome: 'open' | 'won' | 'lost' }>).map((s, order) => ({
          id: s.id as StageId,
          name: s.name,
          order,
          probability: new Decimal(s.probability),
          outcome: s.outcome,
        })),
      }),
    ),
    deals: [...deals.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    activities: activities.map((a) => ({ id: a.id as ActivityId, type: a.type, status: a.status, userId: shared.of(a.user_id) as UserId, dealId: (a.deal_id ?? undefined) as DealId | undefined, occurredAt: shared.of(a.occurred_at) as IsoDate })),
    quotas: quotas.map(
      (q): Quota => ({
        id: q.id as QuotaId,
        owner: q.user_id !== null ? { userId: q.user_id as UserId } : { teamId: q.team_id as TeamId },
        measure: measureOf(q.measure),
        period: q.period_id as PeriodId,
        target: new Decimal(q.target),
        currency: (q.currency ?? undefined) as CurrencyCode | undefined,
        phasing: q.phasing ? new Map(Object.entries(q.phasing as unknown as Record<string, string>).map(([k, v]) => [k as PeriodId, new Decimal(v)])) : undefined,
        version: q.version,
        effectiveFrom: q.effective_from as IsoDate,
      }),
    ),
    fxRates: fx.map((r) => ({ from: r.from_currency as CurrencyCode, to: r.to_currency as CurrencyCode, rate: new Decimal(r.rate), date: r.rate_date as IsoDate, source: r.source })),
  };
}
