import type { HubspotPortal } from './portal.js';
import type { PropertyValues } from './record-store.js';
import { badRequest, notFound } from './errors.js';
import type { WebhookSender } from './webhooks.js';

/**
 * Sandbox-only changes a test makes "in the HubSpot UI": edit, archive, restore and add
 * deals. Each change moves hs_lastmodifieddate forward, keeps HubSpot's calculated
 * properties consistent and emits the matching webhook events.
 */
export class Mutations {
  constructor(
    private readonly portal: HubspotPortal,
    private readonly webhooks: WebhookSender,
  ) {}

  /** Edits a deal; returns the properties that changed (calculated ones included). */
  updateDeal(dealId: string, patch: PropertyValues): string[] {
    const deals = this.portal.deals;
    const i = this.liveDeal(dealId);
    const now = this.portal.now();
    const full = { ...patch, ...this.derived(i, patch, now) };
    const changed = deals.update(i, full, now);
    for (const name of Object.keys(patch)) {
      if (!changed.includes(name)) continue;
      this.webhooks.emit({ subscriptionType: 'deal.propertyChange', objectId: Number(dealId), occurredAt: now, propertyName: name, propertyValue: patch[name] ?? '' });
    }
    return changed;
  }

  archiveDeal(dealId: string): void {
    const i = this.liveDeal(dealId);
    const now = this.portal.now();
    this.portal.deals.archive(i, now);
    this.webhooks.emit({ subscriptionType: 'deal.deletion', objectId: Number(dealId), occurredAt: now });
  }

  restoreDeal(dealId: string): void {
    const i = this.portal.deals.indexOf(dealId);
    if (i === undefined || !this.portal.deals.isArchived(i)) throw notFound(`No archived deal with id ${dealId}`);
    const now = this.portal.now();
    this.portal.deals.restore(i, now);
    this.webhooks.emit({ subscriptionType: 'deal.restore', objectId: Number(dealId), occurredAt: now });
  }

  /** Adds a deal; dealname, pipeline and dealstage are required as in HubSpot's UI. Returns its id. */
  addDeal(properties: PropertyValues): string {
    for (const required of ['dealname', 'pipeline', 'dealstage'] as const) {
      if (!properties[required]) throw badRequest(`a new deal needs "${required}"`);
    }
    const now = this.portal.now();
    const values: PropertyValues = { deal_currency_code: this.portal.companyCurrency, ...properties };
    this.checkDealValues(values, properties['pipeline'] ?? null);
    Object.assign(values, this.derivedFrom(values, true, now));
    const i = this.portal.deals.create(values, now, 'CRM_UI');
    const id = this.portal.deals.idAt(i);
    this.webhooks.emit({ subscriptionType: 'deal.creation', objectId: Number(id), occurredAt: now, changeFlag: 'NEW' });
    return id;
  }

  private liveDeal(dealId: string): number {
    const i = this.portal.deals.indexOf(dealId);
    if (i === undefined || this.portal.deals.isArchived(i)) throw notFound(`No deal with id ${dealId}`);
    return i;
  }

  /** Calculated properties after applying `patch` to deal i. */
  private derived(i: number, patch: PropertyValues, now: number): PropertyValues {
    const deals = this.portal.deals;
    const current = (name: string): string | null => (name in patch ? patch[name]! : (deals.value(i, name) ?? null));
    const values: PropertyValues = {};
    for (const name of ['dealstage', 'pipeline', 'amount', 'deal_currency_code', 'closedate', 'hubspot_owner_id']) values[name] = current(name);
    this.checkDealValues(values, current('pipeline'));
    return this.derivedFrom(values, 'dealstage' in patch && patch['dealstage'] !== deals.value(i, 'dealstage'), now);
  }

  private derivedFrom(values: PropertyValues, stageChanged: boolean, now: number): PropertyValues {
    const stage = values['dealstage'] ? this.portal.stageById(values['dealstage']) : undefined;
    const probability = stage?.stage.probability ?? null;
    const closed = stage?.stage.isClosed ?? false;
    const closeMs = values['closedate'] ? Date.parse(values['closedate']) : now;
    const out: PropertyValues = {
      hs_is_closed: String(closed),
      hs_is_closed_won: String(closed && probability === '1.0'),
      hs_is_closed_lost: String(closed && probability === '0.0'),
      hs_deal_stage_probability: probability,
      amount_in_home_currency: this.portal.amountInHomeCurrency(values['amount'] ?? null, values['deal_currency_code'] ?? null, Number.isFinite(closeMs) ? closeMs : now),
    };
    if (stageChanged && values['dealstage']) out[`hs_date_entered_${values['dealstage']}`] = new Date(now).toISOString();
    return out;
  }

  private checkDealValues(values: PropertyValues, pipelineId: string | null): void {
    const stageId = values['dealstage'];
    if (stageId) {
      const found = this.portal.stageById(stageId);
      if (!found) throw badRequest(`${stageId} is not a valid deal stage id`, { subCategory: 'INVALID_OPTION' });
      if (pipelineId && found.pipeline.id !== pipelineId) throw badRequest(`deal stage ${stageId} is not in pipeline ${pipelineId}`, { subCategory: 'INVALID_OPTION' });
    }
    const owner = values['hubspot_owner_id'];
    if (owner && !this.portal.ownerById(owner)) throw badRequest(`${owner} is not a valid owner id (use an owner's "id", not its "userId")`, { subCategory: 'INVALID_OWNER_ID' });
    const amount = values['amount'];
    if (amount && !/^-?\d+(\.\d+)?$/.test(amount)) throw badRequest(`${amount} is not a valid number for amount`);
  }
}
