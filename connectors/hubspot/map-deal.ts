import type { Deal } from '../../shared/src/domain/deals.js';
import type { DealId, PipelineId, StageId, UserId } from '../../shared/src/domain/ids.js';
import { parseCurrency } from '../../shared/src/money/currency.js';
import { Decimal } from '../../shared/src/money/decimal.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { isoInstant, modifiedAtMs, parseInstant, parseNumber, utcDate, type HsObject, type Mapped } from './hubspot-values.js';

export const DEAL_BASE_PROPERTIES = [
  'dealname',
  'amount',
  'deal_currency_code',
  'amount_in_home_currency',
  'dealstage',
  'pipeline',
  'closedate',
  'createdate',
  'hubspot_owner_id',
  'dealtype',
  'hs_lastmodifieddate',
  'hs_object_id',
] as const;

const STAGE_ENTERED_PREFIX = 'hs_date_entered_';

/** The properties to ask for: the base set plus one "date entered" property per known stage. */
export function dealProperties(stageIds: readonly string[]): string[] {
  return [...DEAL_BASE_PROPERTIES, ...[...new Set(stageIds)].sort().map((s) => `${STAGE_ENTERED_PREFIX}${s}`)];
}

export interface DealContext {
  /** The portal's company currency: deals without deal_currency_code are in it. */
  readonly homeCurrency: string;
}

/**
 * A HubSpot deal as a canonical deal. The amount stays in the deal's own currency (the
 * engine converts with the tenant's FX table); HubSpot's home-currency amount is kept in
 * `properties` for plans that filter or report on it.
 */
export function mapDeal(o: HsObject, ctx: DealContext): Mapped<Versioned<Deal>> {
  const p = o.properties;
  const where = `HubSpot deal ${o.id}${p['dealname'] ? ` ("${p['dealname']}")` : ''}`;
  const modifiedMs = modifiedAtMs(o);
  if (modifiedMs === undefined) return { ok: false, problem: `${where} has no hs_lastmodifieddate; read it again with that property` };
  const amount = parseNumber(p['amount']);
  if (amount === 'invalid') return { ok: false, problem: `${where} has amount "${p['amount']}", which is not a plain number; fix the amount in HubSpot (digits and one decimal point)` };
  const currencyText = p['deal_currency_code']?.trim() || ctx.homeCurrency;
  const currency = parseCurrency(currencyText);
  if (!currency) return { ok: false, problem: `${where} is in currency "${currencyText}", which this app does not know; use an ISO 4217 code` };
  const ownerId = p['hubspot_owner_id']?.trim();
  if (!ownerId) return { ok: false, problem: `${where} has no deal owner; assign an owner in HubSpot so the deal can be credited` };
  const stageId = p['dealstage']?.trim();
  if (!stageId) return { ok: false, problem: `${where} has no deal stage; set its stage in HubSpot` };
  const createdMs = parseInstant(p['createdate'] ?? undefined) ?? parseInstant(o.createdAt);
  if (createdMs === undefined) return { ok: false, problem: `${where} has no create date` };
  const closeMs = parseInstant(p['closedate'] ?? undefined);
  const stageHistory = Object.entries(p)
    .filter(([k, v]) => k.startsWith(STAGE_ENTERED_PREFIX) && v)
    .map(([k, v]) => ({ stageId: k.slice(STAGE_ENTERED_PREFIX.length) as StageId, at: parseInstant(v) }))
    .filter((s): s is { stageId: StageId; at: number } => s.at !== undefined)
    .sort((a, b) => a.at - b.at || a.stageId.localeCompare(b.stageId))
    .map((s) => ({ stageId: s.stageId, enteredAt: utcDate(s.at) }));
  const properties: Record<string, string> = {};
  for (const key of ['dealtype', 'amount_in_home_currency'] as const) {
    const v = p[key];
    if (v !== null && v !== undefined && v !== '') properties[key] = v;
  }
  const deal: Deal = {
    id: o.id as DealId,
    name: p['dealname'] ?? '',
    pipelineId: (p['pipeline']?.trim() || 'default') as PipelineId,
    stageId: stageId as StageId,
    amount: amount ?? new Decimal(0),
    currency,
    // An open deal without a close date is expected to close when it was created (it
    // counts nowhere until someone sets one); HubSpot requires the date on closed deals.
    closeDate: utcDate(closeMs ?? createdMs),
    createdDate: utcDate(createdMs),
    ownerId: ownerId as UserId,
    // Splits come from their own API (deal-splits.ts, attachSplits).
    splits: [],
    properties,
    stageHistory,
    sourceVersion: `hubspot:${isoInstant(modifiedMs)}`,
  };
  return { ok: true, value: { record: deal, modifiedAt: isoInstant(modifiedMs) } };
}

/** An archived (deleted) deal as a tombstone; its last known fields, or a stub when they do not map. */
export function dealTombstone(o: HsObject, ctx: DealContext): Versioned<Deal> {
  const archivedMs = parseInstant(o.archivedAt) ?? modifiedAtMs(o) ?? 0;
  const mapped = mapDeal(o, ctx);
  const record: Deal = mapped.ok
    ? mapped.value.record
    : {
        id: o.id as DealId, name: o.properties['dealname'] ?? '', pipelineId: 'default' as PipelineId, stageId: 'deleted' as StageId, amount: new Decimal(0),
        currency: parseCurrency(ctx.homeCurrency) ?? ('USD' as Deal['currency']), closeDate: utcDate(archivedMs), createdDate: utcDate(archivedMs), ownerId: '' as UserId,
        splits: [], properties: {}, stageHistory: [], sourceVersion: `hubspot:${isoInstant(archivedMs)}`,
      };
  return { record, modifiedAt: isoInstant(Math.max(archivedMs, mapped.ok ? Date.parse(mapped.value.modifiedAt) : 0)), deleted: true };
}
