import { z } from 'zod';
import type { FxRate } from '../../shared/src/domain/fx.js';
import { parseCurrency } from '../../shared/src/money/currency.js';
import { HubspotApiError } from './api-errors.js';
import { parseInstant, parseNumber, utcDate, type Mapped } from './hubspot-values.js';
import type { SyncEnv } from './sync-env.js';

const EXCHANGE_RATES_PATH = '/settings/v3/currencies/exchange-rates';

/** One exchange rate as HubSpot sends it; `conversionRate` kept as the JSON number's own text. */
const WireRate = z.object({
  id: z.string(),
  fromCurrencyCode: z.string(),
  toCurrencyCode: z.string(),
  conversionRate: z.string(),
  effectiveAt: z.string(),
});
type WireRate = z.infer<typeof WireRate>;
const WirePage = z.object({ results: z.array(WireRate), paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional() });

/**
 * HubSpot sends conversionRate as a JSON number; JSON.parse would round it to a double
 * (1.1 → 1.1000000000000000888…). The reviver's source text keeps the digits as sent.
 */
function parseKeepingRates(text: string): unknown {
  const reviver = (key: string, value: unknown, context?: { source?: string }) => (key === 'conversionRate' && typeof value === 'number' && context?.source ? context.source : value);
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/**
 * HubSpot's exchange rate: `conversionRate` units of the company currency (`toCurrencyCode`)
 * per unit of `fromCurrencyCode`, in force from `effectiveAt` (HubSpot keeps up to 6 decimals).
 */
export function mapExchangeRate(r: WireRate): Mapped<FxRate> {
  const where = `HubSpot exchange rate ${r.id} (${r.fromCurrencyCode} → ${r.toCurrencyCode})`;
  const from = parseCurrency(r.fromCurrencyCode);
  const to = parseCurrency(r.toCurrencyCode);
  if (!from || !to) return { ok: false, problem: `${where} names a currency this app does not know; use ISO 4217 codes` };
  const rate = parseNumber(r.conversionRate);
  if (rate === undefined || rate === 'invalid' || rate.lte(0)) return { ok: false, problem: `${where} has conversion rate "${r.conversionRate}"; set a positive rate in HubSpot's currency settings` };
  const effective = parseInstant(r.effectiveAt);
  if (effective === undefined) return { ok: false, problem: `${where} has no valid effectiveAt "${r.effectiveAt}"` };
  return { ok: true, value: { from, to, rate, date: utcDate(effective), source: 'hubspot' } };
}

/**
 * Every dated exchange rate of the portal (settings.currencies.read, an optional scope).
 * Undefined when the app may not read them: the tenant then has no rates from HubSpot.
 */
export async function readExchangeRates(env: Pick<SyncEnv, 'tenantId' | 'gateway' | 'logger'>, problems: string[]): Promise<FxRate[] | undefined> {
  const rates: FxRate[] = [];
  let after: string | undefined;
  do {
    const query = after ? `?after=${encodeURIComponent(after)}` : '';
    let page: z.infer<typeof WirePage>;
    try {
      page = await env.gateway.call('general', 'reading exchange rates', async (c) => {
        const response = await c.apiRequest({ method: 'GET', path: `${EXCHANGE_RATES_PATH}${query}` });
        const text = await response.text();
        const body = text ? parseKeepingRates(text) : {};
        if (!response.ok) throw new HubspotApiError(response.status, body && typeof body === 'object' ? (body as Record<string, unknown>) : { message: text }, Object.fromEntries(response.headers.entries()));
        const parsed = WirePage.safeParse(body);
        if (!parsed.success) throw new Error(`HubSpot's exchange rates answer does not have the expected shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        return parsed.data;
      });
    } catch (error) {
      if (error instanceof HubspotApiError && error.status === 403) {
        env.logger.warn({ tenantId: env.tenantId }, 'the app may not read exchange rates (settings.currencies.read not granted): FX rates are not synced from HubSpot; grant the scope and reinstall');
        return undefined;
      }
      throw error;
    }
    for (const r of page.results) {
      const m = mapExchangeRate(r);
      if (m.ok) rates.push(m.value);
      else problems.push(m.problem);
    }
    after = page.paging?.next?.after;
  } while (after);
  return rates;
}
