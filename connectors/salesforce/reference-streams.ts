import type { Quota } from '../../shared/src/domain/quotas.js';
import type { FxRate } from '../../shared/src/domain/fx.js';
import { describeFields, isFailure, queryAllRows, soqlDateTime } from './api.js';
import { toFxRate, toManagerLink, toPipelines, toQuota, toStages, toUser, type SfRow, type StageRow } from './mapping.js';
import { pageWindow, type WindowCursor } from './paged-window.js';
import { commit, loadStreamCursor, type StreamRun } from './stream-run.js';

async function tenantSettings(run: StreamRun): Promise<{ home: string; fiscalYearStartMonth: number }> {
  const t = await run.deps.db.selectFrom('tenants').select(['home_currency', 'fiscal_year_start_month']).where('id', '=', run.tenantId).executeTakeFirstOrThrow();
  return { home: t.home_currency, fiscalYearStartMonth: t.fiscal_year_start_month };
}

const USER_DESCRIBE = 'describe:User';

/**
 * Whether the org keeps a currency per user (a multi-currency org), from describe User
 * through the org metadata cache: every users job and every change event batch with user
 * changes asks, and each describe is a call from the org's daily allocation.
 */
export async function usersHaveCurrency(run: Pick<StreamRun, 'session' | 'tenantId' | 'orgCache'>): Promise<boolean> {
  const fields = await run.orgCache.get(run.tenantId, USER_DESCRIBE, () => describeFields(run.session, 'User'), (described) => described !== undefined);
  return fields?.has('DefaultCurrencyIsoCode') ?? false;
}

export function userSoql(multiCurrency: boolean, where: string): string {
  return `SELECT Id, Name, Email, IsActive, ManagerId${multiCurrency ? ', DefaultCurrencyIsoCode' : ''}, SystemModstamp FROM User WHERE UserType = 'Standard'${where ? ` AND ${where}` : ''}`;
}

/** Users (active flag, pay currency) and their ManagerId reporting line, incrementally on SystemModstamp. */
export async function syncUsers(run: StreamRun): Promise<{ pages: number; records: number }> {
  const { home } = await tenantSettings(run);
  const multiCurrency = await usersHaveCurrency(run);
  const start = run.full ? {} : await loadStreamCursor<{ users?: WindowCursor }>(run);
  const result = await pageWindow(
    run.session,
    { soql: (fromMs) => `${userSoql(multiCurrency, fromMs === undefined ? '' : `SystemModstamp > ${soqlDateTime(fromMs)}`)} ORDER BY SystemModstamp, Id`, all: false, lookbackMs: run.config.lookbackMs },
    start.users ?? {},
    false,
    async (rows, users) => {
      await commit(run, { users }, { users: rows.map((r) => toUser(r, home)), managerLinks: { userIds: rows.map((r) => r.Id), links: rows.map(toManagerLink) } }, users.watermark !== undefined);
    },
  );
  return { pages: result.pages, records: result.records };
}

/** Opportunity record types → pipelines, the stage picklist → stages (IsWon/IsClosed → outcome). Small: read whole each run. */
export async function syncPipelines(run: StreamRun): Promise<{ pages: number; records: number }> {
  const stages = toStages(await queryAllRows<StageRow>(run.session, 'SELECT Id, MasterLabel, ApiName, IsWon, IsClosed, DefaultProbability, SortOrder FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder'));
  let recordTypes: SfRow[] = [];
  try {
    recordTypes = await queryAllRows(run.session, "SELECT Id, Name, DeveloperName FROM RecordType WHERE SobjectType = 'Opportunity' AND IsActive = true ORDER BY Name");
  } catch (err) {
    if (!isFailure(err, 'missing-access')) throw err;
  }
  const pipelines = toPipelines(recordTypes, stages);
  await commit(run, { syncedAt: new Date().toISOString() }, { pipelines }, true);
  return { pages: 1, records: pipelines.length };
}

/**
 * Multi-currency orgs only (CurrencyType exists): dated rates when Advanced Currency
 * Management is on, else each currency's single current rate dated by its last change.
 */
export async function syncFxRates(run: StreamRun): Promise<{ pages: number; records: number }> {
  const { home } = await tenantSettings(run);
  let currencies: SfRow[];
  try {
    currencies = await queryAllRows(run.session, 'SELECT Id, IsoCode, ConversionRate, IsCorporate, LastModifiedDate FROM CurrencyType WHERE IsActive = true');
  } catch (err) {
    if (!isFailure(err, 'missing-access')) throw err;
    run.deps.logger.info({ tenantId: run.tenantId }, 'salesforce org is single-currency (no CurrencyType); no FX rates to sync');
    return { pages: 0, records: 0 };
  }
  const corporate = currencies.find((c) => c['IsCorporate'] === true)?.['IsoCode'];
  if (corporate && corporate !== home) run.deps.logger.warn({ tenantId: run.tenantId, corporate, home }, 'the org corporate currency differs from the tenant home currency; rates are stored against the corporate currency');
  const base = String(corporate ?? home);
  let rates: FxRate[] = [];
  try {
    rates = (await queryAllRows(run.session, 'SELECT Id, IsoCode, ConversionRate, StartDate FROM DatedConversionRate ORDER BY StartDate')).map((r) => toFxRate(r, base)).filter((r): r is FxRate => r !== undefined);
  } catch (err) {
    if (!isFailure(err, 'missing-access')) throw err;
  }
  if (rates.length === 0) rates = currencies.map((r) => toFxRate(r, base)).filter((r): r is FxRate => r !== undefined);
  await commit(run, { syncedAt: new Date().toISOString() }, { fxRates: rates }, true);
  return { pages: 1, records: rates.length };
}

/** ForecastingQuota where Collaborative Forecasts is used; an edit becomes a new quota version. */
export async function syncQuotas(run: StreamRun): Promise<{ pages: number; records: number }> {
  const { home, fiscalYearStartMonth } = await tenantSettings(run);
  const quotaFields = await describeFields(run.session, 'ForecastingQuota');
  if (!quotaFields) {
    run.deps.logger.info({ tenantId: run.tenantId }, 'ForecastingQuota is not available (Collaborative Forecasts off, or the integration user lacks View All Forecasts); quotas are managed in the app');
    return { pages: 0, records: 0 };
  }
  let pages = 0;
  let records = 0;
  const start = run.full ? {} : await loadStreamCursor<{ quotas?: WindowCursor }>(run);
  await pageWindow(
    run.session,
    { soql: (fromMs) => `SELECT Id, QuotaOwnerId, QuotaAmount, QuotaQuantity, StartDate${quotaFields.has('CurrencyIsoCode') ? ', CurrencyIsoCode' : ''}, SystemModstamp FROM ForecastingQuota${fromMs === undefined ? '' : ` WHERE SystemModstamp > ${soqlDateTime(fromMs)}`} ORDER BY SystemModstamp, Id`, all: false, lookbackMs: run.config.lookbackMs },
    start.quotas ?? {},
    false,
    async (rows, quotas) => {
      const list = rows.map((r) => toQuota(r, home, fiscalYearStartMonth)).filter((q): q is Quota => q !== undefined);
      await commit(run, { quotas }, { quotas: list }, quotas.watermark !== undefined);
      pages += 1;
      records += list.length;
    },
  );
  return { pages, records };
}
