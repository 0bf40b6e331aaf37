import { attachSplits } from './deal-splits.js';
import { dealProperties, dealTombstone, mapDeal } from './map-deal.js';
import { syncObjectStream } from './object-stream.js';
import type { StreamResult, SyncEnv } from './sync-env.js';

/** The stage ids of the stored pipelines: each has an hs_date_entered_<stage> property for the stage history. */
export async function knownStageIds(env: Pick<SyncEnv, 'db' | 'tenantId'>): Promise<string[]> {
  const rows = await env.db.selectFrom('pipelines').select('stages').where('tenant_id', '=', env.tenantId).where('deleted_at', 'is', null).execute();
  return rows.flatMap((r) => (r.stages as unknown as Array<{ id: string }>).map((s) => s.id));
}

export async function syncDeals(env: SyncEnv, mode: 'incremental' | 'full'): Promise<StreamResult> {
  const properties = dealProperties(await knownStageIds(env));
  const ctx = { homeCurrency: env.homeCurrency };
  return syncObjectStream(
    {
      object: 'deals',
      objectType: 'deals',
      properties,
      toPage: async (objects, archived) => {
        if (archived) return { page: { deals: objects.map((o) => dealTombstone(o, ctx)) }, problems: [] };
        const problems: string[] = [];
        const deals = objects.flatMap((o) => {
          const m = mapDeal(o, ctx);
          if (m.ok) return [m.value];
          problems.push(m.problem);
          return [];
        });
        return { page: { deals: await attachSplits(env, deals, problems) }, problems };
      },
    },
    env,
    mode,
  );
}
