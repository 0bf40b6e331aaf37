import type { Deal, Split } from '../../shared/src/domain/deals.js';
import type { Versioned } from '../../worker/src/db/records.js';
import type { UserId } from '../../shared/src/domain/ids.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import { HubspotApiError } from './api-errors.js';
import { parseNumber, type Mapped } from './hubspot-values.js';
import type { SyncEnv } from './sync-env.js';

/** The splits batch read takes up to 100 deal ids. */
export const SPLITS_BATCH_SIZE = 100;

/** A split as the SDK returns it (POST /crm/v3/objects/deals/splits/batch/read). */
export interface HsDealSplit {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null | undefined>>;
}

/**
 * Deal splits exist on Sales Hub Enterprise only, and need the optional
 * crm.dealsplits.read_write scope. A portal that refuses them (403) is remembered, so
 * every deal page does not ask again; the answer is re-checked a day later, because an
 * admin can turn splits on (or the portal can upgrade) at any time.
 */
export class DealSplitsAvailability {
  private readonly offUntil = new Map<string, number>();

  constructor(private readonly recheckAfterMs = 24 * 3_600_000) {}

  isOff(tenantId: string, nowMs: number): boolean {
    const until = this.offUntil.get(tenantId);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.offUntil.delete(tenantId);
    return false;
  }

  markOff(tenantId: string, nowMs: number): void {
    this.offUntil.set(tenantId, nowMs + this.recheckAfterMs);
  }
}

/**
 * HubSpot splits share the deal's amount (they total 1.0 and include the owner), so each
 * becomes a canonical revenue split: "0.6" → 60 %. HubSpot has no overlay credit.
 */
export function mapDealSplits(dealId: string, splits: readonly HsDealSplit[]): Mapped<Split[]> {
  const out: Split[] = [];
  for (const s of splits) {
    const share = parseNumber(s.properties['hs_deal_split_percentage']);
    const ownerId = s.properties['hubspot_owner_id']?.trim();
    if (share === undefined || share === 'invalid' || share.lte(0) || share.gt(1)) {
      return { ok: false, problem: `HubSpot deal ${dealId} has split ${s.id} with percentage "${s.properties['hs_deal_split_percentage'] ?? ''}", which is not a share between 0 and 1; fix the deal's splits in HubSpot` };
    }
    if (!ownerId) return { ok: false, problem: `HubSpot deal ${dealId} has split ${s.id} without an owner; assign the split to a user in HubSpot` };
    out.push({ userId: ownerId as UserId, type: 'revenue', percent: share.times(100) });
  }
  if (out.length > 0) {
    const total = out.reduce((sum, s) => sum.plus(s.percent), new Decimal(0));
    if (!total.eq(100)) return { ok: false, problem: `HubSpot deal ${dealId} has splits totalling ${total.toFixed()} %, not 100 %; fix the deal's splits in HubSpot` };
  }
  return { ok: true, value: out.sort((a, b) => a.userId.localeCompare(b.userId)) };
}

/**
 * The raw splits of the given deals, read in batches of 100 alongside each deal page.
 * A portal without deal splits (403: feature off or scope not granted) yields none: the
 * owners keep 100 % of their deals, and the tenant is not asked again for a day.
 */
export async function readDealSplits(env: Pick<SyncEnv, 'tenantId' | 'gateway' | 'logger' | 'now' | 'dealSplits'>, dealIds: readonly string[]): Promise<ReadonlyMap<string, readonly HsDealSplit[]>> {
  const byDeal = new Map<string, readonly HsDealSplit[]>();
  if (dealIds.length === 0 || env.dealSplits.isOff(env.tenantId, env.now())) return byDeal;
  const ids = [...new Set(dealIds)];
  for (let i = 0; i < ids.length; i += SPLITS_BATCH_SIZE) {
    const inputs = ids.slice(i, i + SPLITS_BATCH_SIZE).map((id) => ({ id }));
    try {
      const response = await env.gateway.call('general', 'reading deal splits', (c) => c.crm.objects.dealSplits.batchApi.read({ inputs }));
      for (const r of response.results) byDeal.set(String(r.id), r.splits);
    } catch (error) {
      if (error instanceof HubspotApiError && error.status === 403) {
        env.dealSplits.markOff(env.tenantId, env.now());
        env.logger.warn({ tenantId: env.tenantId, category: error.body['category'] }, 'HubSpot refused deal splits (Sales Hub Enterprise with splits turned on, and the crm.dealsplits.read_write scope, are needed): deal owners get 100 % credit');
        return new Map();
      }
      throw error;
    }
  }
  return byDeal;
}

/**
 * Mapped deals with their splits: one splits read per 100 deals. A deal whose splits do
 * not map is left out with the problem (the owner would otherwise get credit that is not theirs).
 */
export async function attachSplits(env: Pick<SyncEnv, 'tenantId' | 'gateway' | 'logger' | 'now' | 'dealSplits'>, deals: readonly Versioned<Deal>[], problems: string[]): Promise<Versioned<Deal>[]> {
  const raw = await readDealSplits(env, deals.map((d) => d.record.id));
  return deals.flatMap((d) => {
    const splits = raw.get(d.record.id);
    if (!splits || splits.length === 0) return [d];
    const m = mapDealSplits(d.record.id, splits);
    if (!m.ok) {
      problems.push(m.problem);
      return [];
    }
    return [{ ...d, record: { ...d.record, splits: m.value } }];
  });
}
