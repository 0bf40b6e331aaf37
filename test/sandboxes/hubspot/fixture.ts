import { Client } from '@hubspot/api-client';
import type { RawDataset } from '../../../shared/src/input/dataset.schema.js';
import { startHubspotSandbox, type HubspotSandbox, type HubspotSandboxOptions } from '../../../sandboxes/hubspot/index.js';

/**
 * A portal small enough to check by hand. Everything happened before NOW, so seeded
 * timestamps are the dataset's own. Last-modified instants (from sourceVersion):
 *   d1 2026-02-10T12:00  d2 2026-02-15T09:30  d3 2026-04-01T08:00  d4 2026-04-10T10:00  d5 2026-06-30T17:45
 * Amounts (deal currency): d1 1000.00 USD, d2 2500.50 EUR, d3 400 GBP, d4 0 USD, d5 12000 USD.
 */
export const NOW = Date.parse('2026-11-01T00:00:00Z');
export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret';

export const SMALL_PORTAL: RawDataset = {
  tenant: { id: 'acme-hs', name: 'Acme (HubSpot test)', currency: 'USD' },
  calendar: { fiscalYearStartMonth: 1 },
  users: [
    { id: 'ann', name: 'Ann Archer', email: 'ann@acme.example', startDate: '2024-01-01' },
    { id: 'bob', name: 'Bob Baker', email: 'bob@acme.example', startDate: '2024-01-01', payCurrency: 'EUR' },
    { id: 'cat', name: 'Cat Cole', email: 'cat@acme.example', startDate: '2023-01-01' },
    { id: 'dan', name: 'Dan Dale', email: 'dan@acme.example', startDate: '2023-01-01', active: false },
  ],
  managers: [],
  teams: [{ id: 'team-east', name: 'East', managerId: 'cat', members: ['ann', 'bob'] }],
  pipelines: [
    { id: 'sales', name: 'Sales', stages: [{ id: 's1', name: 'Qualified', probability: '0.2' }, { id: 's2', name: 'Proposal', probability: '0.6' }, { id: 'won', name: 'Won', outcome: 'won' }, { id: 'lost', name: 'Lost', outcome: 'lost' }] },
    { id: 'renewals', name: 'Renewals', stages: [{ id: 'r1', name: 'Due', probability: '0.5' }, { id: 'rwon', name: 'Renewed', outcome: 'won' }, { id: 'rlost', name: 'Churned', outcome: 'lost' }] },
  ],
  deals: [
    { id: 'd1', name: 'Alpha Corp', pipelineId: 'sales', stageId: 'won', amount: '1000.00', currency: 'USD', closeDate: '2026-02-10', createdDate: '2026-01-05', ownerId: 'ann', stageHistory: [{ stageId: 's1', enteredAt: '2026-01-05' }, { stageId: 's2', enteredAt: '2026-01-20' }, { stageId: 'won', enteredAt: '2026-02-10' }], sourceVersion: '2026-02-10T12:00:00Z', properties: { dealType: 'new-business', leadSource: 'web' } },
    { id: 'd2', name: 'Beta GmbH', pipelineId: 'sales', stageId: 's2', amount: '2500.50', currency: 'EUR', closeDate: '2026-03-15', createdDate: '2026-02-01', ownerId: 'bob', stageHistory: [{ stageId: 's1', enteredAt: '2026-02-01' }, { stageId: 's2', enteredAt: '2026-02-15' }], sourceVersion: '2026-02-15T09:30:00Z' },
    { id: 'd3', name: 'Gamma Ltd renewal', pipelineId: 'renewals', stageId: 'rlost', amount: '400', currency: 'GBP', closeDate: '2026-04-01', createdDate: '2026-03-01', ownerId: 'ann', stageHistory: [{ stageId: 'r1', enteredAt: '2026-03-01' }, { stageId: 'rlost', enteredAt: '2026-04-01' }], sourceVersion: '2026-04-01T08:00:00Z' },
    { id: 'd4', name: 'Delta Inc', pipelineId: 'sales', stageId: 's1', amount: '0', currency: 'USD', closeDate: '2026-05-01', createdDate: '2026-04-10', ownerId: 'bob', stageHistory: [{ stageId: 's1', enteredAt: '2026-04-10' }], sourceVersion: '2026-04-10T10:00:00Z' },
    { id: 'd5', name: 'Epsilon renewal', pipelineId: 'renewals', stageId: 'rwon', amount: '12000', currency: 'USD', closeDate: '2026-06-30', createdDate: '2026-05-01', ownerId: 'cat', stageHistory: [{ stageId: 'r1', enteredAt: '2026-05-01' }, { stageId: 'rwon', enteredAt: '2026-06-30' }], sourceVersion: '2026-06-30T17:45:00Z' },
  ],
  activities: [
    { id: 'a1', type: 'call', status: 'completed', userId: 'ann', dealId: 'd1', occurredAt: '2026-01-10' },
    { id: 'a2', type: 'email', status: 'completed', userId: 'bob', dealId: 'd2', occurredAt: '2026-02-03' },
    { id: 'a3', type: 'meeting', status: 'scheduled', userId: 'ann', dealId: 'd1', occurredAt: '2026-01-15' },
    { id: 'a4', type: 'task', status: 'canceled', userId: 'bob', dealId: 'd4', occurredAt: '2026-04-12' },
    { id: 'a5', type: 'call', status: 'completed', userId: 'ann', occurredAt: '2026-03-03' },
  ],
  quotas: [
    { id: 'q-ann-q1', userId: 'ann', period: '2026-Q1', target: '50000', currency: 'USD' },
    { id: 'q-ann-q1-v2', userId: 'ann', period: '2026-Q1', target: '55000', currency: 'USD', version: 2 },
    { id: 'q-bob-q1', userId: 'bob', period: '2026-Q1', target: '40000', currency: 'EUR' },
    { id: 'q-east-q1', teamId: 'team-east', period: '2026-Q1', target: '90000', currency: 'USD' },
  ],
  fxRates: [
    { from: 'EUR', to: 'USD', rate: '1.10', date: '2026-01-01', source: 'test' },
    { from: 'EUR', to: 'USD', rate: '1.20', date: '2026-03-01', source: 'test' },
    { from: 'GBP', to: 'USD', rate: '1.25', date: '2026-01-01', source: 'test' },
  ],
};

export const ALL_SCOPES = ['oauth', 'crm.objects.deals.read', 'crm.objects.deals.write', 'crm.objects.owners.read', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.goals.read', 'settings.currencies.read'];

/** Generous limits, so only the rate-limit tests meet a 429. */
export const RELAXED = { general: { max: 10_000, intervalMs: 10_000 }, search: { max: 10_000, intervalMs: 1_000 } };

export async function startSmall(overrides: Partial<HubspotSandboxOptions> = {}): Promise<HubspotSandbox> {
  return startHubspotSandbox({ portal: SMALL_PORTAL, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: NOW, rateLimits: RELAXED, ...overrides });
}

/** An SDK client with an installed app's token (no retries, so every error surfaces). */
export function clientFor(sandbox: HubspotSandbox, scopes: readonly string[] = ALL_SCOPES): Client {
  const tokens = sandbox.oauth.issueTokens(scopes);
  return new Client({ accessToken: tokens.access_token, basePath: sandbox.url });
}

/** The ApiException an SDK call rejects with. */
export async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; body: Record<string, unknown>; headers: Record<string, string> };
  }
  throw new Error('expected the call to fail');
}
