import { activityTombstone, engagementProperties, mapActivity, type EngagementObject } from './map-activity.js';
import { syncObjectStream } from './object-stream.js';
import type { PortalGateway } from './portal-gateway.js';
import type { StreamResult, SyncEnv } from './sync-env.js';

/** v4 association batch reads take up to this many ids per request. */
export const ASSOCIATION_BATCH_SIZE = 100;

/**
 * The deals each record is associated with, read in batches (POST
 * /crm/v4/associations/{from}/deals/batch/read): search results carry no associations,
 * and one request per engagement would spend the rate limit 100 times faster.
 */
export async function associatedDeals(gateway: PortalGateway, fromType: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  const byId = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += ASSOCIATION_BATCH_SIZE) {
    const inputs = ids.slice(i, i + ASSOCIATION_BATCH_SIZE).map((id) => ({ id }));
    const response = await gateway.call('general', `reading ${fromType}→deals associations`, (c) => c.crm.associations.v4.batchApi.getPage(fromType, 'deals', { inputs }));
    for (const r of response.results) byId.set(r._from.id, r.to.map((t) => String(t.toObjectId)));
  }
  return byId;
}

export async function syncEngagements(object: EngagementObject, env: SyncEnv, mode: 'incremental' | 'full'): Promise<StreamResult> {
  return syncObjectStream(
    {
      object,
      objectType: object,
      properties: engagementProperties(object),
      toPage: async (objects, archived) => {
        if (archived) return { page: { activities: objects.map((o) => activityTombstone(object, o)) }, problems: [] };
        const deals = objects.length > 0 ? await associatedDeals(env.gateway, object, objects.map((o) => o.id)) : new Map<string, string[]>();
        const problems: string[] = [];
        const activities = objects.flatMap((o) => {
          const m = mapActivity(object, o, deals.get(o.id) ?? []);
          if (m.ok) return [m.value];
          problems.push(m.problem);
          return [];
        });
        return { page: { activities }, problems };
      },
    },
    env,
    mode,
  );
}
