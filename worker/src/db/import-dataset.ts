import type { Dataset } from '../../../shared/src/domain/dataset.js';
import type { Db } from './database.js';
import { saveQuotas } from './quotas.js';
import { replaceManagerLinks, replaceTeams, upsertActivities, upsertDeals, upsertFxRates, upsertPipelines, upsertUsers } from './records.js';

/**
 * Loads a whole canonical dataset (a data file, or a generated demo tenant) into the store
 * as if it had been synced at `modifiedAt`. Idempotent: importing the same file twice
 * changes nothing the second time.
 */
export async function importDataset(db: Db, dataset: Dataset, options: { source: 'hubspot' | 'salesforce' | 'file'; externalId: string; modifiedAt: string; actor: string }): Promise<void> {
  const tenantId = dataset.tenant.id;
  await db
    .insertInto('tenants')
    .values({ id: tenantId, name: dataset.tenant.name || tenantId, source: options.source, external_id: options.externalId, home_currency: dataset.tenant.currency, fiscal_year_start_month: dataset.calendar.fiscalYearStartMonth })
    .onConflict((oc) => oc.column('id').doUpdateSet({ name: dataset.tenant.name || tenantId, home_currency: dataset.tenant.currency, fiscal_year_start_month: dataset.calendar.fiscalYearStartMonth }))
    .execute();
  const at = options.modifiedAt;
  await db.transaction().execute(async (tx) => {
    await upsertUsers(tx, tenantId, dataset.users.map((record) => ({ record, modifiedAt: at })));
    await replaceManagerLinks(tx, tenantId, dataset.users.map((u) => u.id), dataset.managers);
    await replaceTeams(tx, tenantId, dataset.teams);
    await upsertPipelines(tx, tenantId, dataset.pipelines);
    await upsertFxRates(tx, tenantId, dataset.fxRates);
  });
  for (let i = 0; i < dataset.deals.length; i += 2000) {
    await db.transaction().execute((tx) => upsertDeals(tx, tenantId, dataset.deals.slice(i, i + 2000).map((record) => ({ record, modifiedAt: at }))));
  }
  for (let i = 0; i < dataset.activities.length; i += 2000) {
    await db.transaction().execute((tx) => upsertActivities(tx, tenantId, dataset.activities.slice(i, i + 2000).map((record) => ({ record, modifiedAt: at }))));
  }
  await saveQuotas(db, tenantId, dataset.quotas, options.actor);
}
