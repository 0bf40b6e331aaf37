import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CARD_ROUTES } from '../../../extension/backend/src/cards/view-models.js';
import { CARD_PATHS } from '../../../extension/hubspot/src/app/cards/lib/card-routes.js';
import { OPTIONAL_SCOPES, REQUIRED_SCOPES } from '../../../connectors/hubspot/config.js';

const project = new URL('../../../extension/hubspot/', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, project), 'utf8'));

interface AppMeta {
  config: {
    distribution: string;
    auth: { type: string; redirectUrls: string[]; requiredScopes: string[]; optionalScopes: string[] };
    permittedUrls: { fetch: string[] };
  };
}
interface WebhooksMeta {
  config: { settings: { targetUrl: string }; subscriptions: { crmObjects: { subscriptionType: string; objectType: string; propertyName?: string }[] } };
}

describe('HubSpot project configuration', () => {
  it('calls the same card API paths the backend serves', () => {
    // The cards cannot import the backend's values (HubSpot bundles src/ only), so they keep a copy.
    expect(CARD_PATHS.deal('9001')).toBe(CARD_ROUTES.deal('9001'));
    expect(CARD_PATHS.deal('a/b c')).toBe(CARD_ROUTES.deal('a/b c'));
    expect(CARD_PATHS.rep()).toBe(CARD_ROUTES.rep());
    expect(CARD_PATHS.me).toBe(CARD_ROUTES.me);
    expect(CARD_PATHS.manager()).toBe(CARD_ROUTES.manager());
    expect(CARD_PATHS.createCoachingTask('cp_1')).toBe(CARD_ROUTES.createCoachingTask('cp_1'));
  });

  it('is a 2025.2+ marketplace OAuth app asking for exactly the scopes the connector uses', () => {
    const hsproject = readJson('hsproject.json') as { platformVersion: string; srcDir: string };
    expect(['2025.2', '2026.03']).toContain(hsproject.platformVersion);
    const app = readJson('src/app/app-hsmeta.json') as AppMeta;
    expect(app.config.distribution).toBe('marketplace');
    expect(app.config.auth.type).toBe('oauth');
    expect(app.config.auth.requiredScopes).toEqual([...REQUIRED_SCOPES]);
    expect(app.config.auth.optionalScopes).toEqual([...OPTIONAL_SCOPES]);
    // One variable feeds the fetch allow-list, the OAuth redirect and the cards' API origin.
    expect(app.config.permittedUrls.fetch).toEqual(['${API_ORIGIN}']);
    expect(app.config.auth.redirectUrls).toEqual(['${API_ORIGIN}/hubspot/oauth/callback']);
    // No secret belongs in the project files.
    expect(JSON.stringify(app)).not.toMatch(/secret|token/i);
  });

  it('subscribes to deal creation, deletion and the property changes that move commission', () => {
    const hooks = readJson('src/app/webhooks/webhooks-hsmeta.json') as WebhooksMeta;
    expect(hooks.config.settings.targetUrl).toBe('${API_ORIGIN}/hubspot/webhooks');
    const subs = hooks.config.subscriptions.crmObjects;
    expect(subs.every((s) => s.objectType === 'deal')).toBe(true);
    const types = subs.map((s) => s.subscriptionType);
    expect(types).toEqual(expect.arrayContaining(['object.creation', 'object.deletion', 'object.propertyChange']));
    const watched = subs.filter((s) => s.subscriptionType === 'object.propertyChange').map((s) => s.propertyName);
    expect(watched).toEqual(expect.arrayContaining(['amount', 'dealstage', 'closedate', 'hubspot_owner_id']));
  });
});
