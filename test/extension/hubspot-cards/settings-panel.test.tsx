import { Alert, Button, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsPanel } from '../../../extension/hubspot/src/app/settings/SettingsPanel.js';
import { apiError, ok, stubHubspotFetch } from './fetch-stub.js';
import { ORIGIN, repCard } from './fixtures.js';
import { visibleText } from './visible-text.js';

function renderSettings(variables: Record<string, string>) {
  const renderer = createRenderer('settings');
  renderer.render(<SettingsPanel context={{ variables }} />);
  return renderer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('settings page', () => {
  it('checks the connection on request and says the account is connected', async () => {
    const rep = repCard();
    // The admin who installed the app need not be a rep: "me" answers for anyone the backend knows.
    const { calls } = stubHubspotFetch({ 'GET /api/cards/v1/me': ok({ kind: 'me', version: 1, viewer: { ...rep.viewer, roles: ['admin'] }, freshness: rep.freshness }) });
    const r = renderSettings({ API_ORIGIN: ORIGIN });
    expect(visibleText(r.find(Text))).toBe(`Backend: ${ORIGIN}`);
    expect(calls).toHaveLength(0);

    r.findByTestId(Button, 'check-connection').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(Alert)).not.toBeNull());
    const alert = r.find(Alert);
    expect(alert.props).toMatchObject({ title: 'Connected', variant: 'success' });
    expect(visibleText(alert)).toContain('As of 28 Nov 2026 10:05 UTC');
    expect(calls.map((c) => c.url)).toEqual([`${ORIGIN}/api/cards/v1/me`]);
  });

  it('says a connected account whose sync is failing is connected, as a warning with the failing sync', async () => {
    const rep = repCard();
    const display = 'As of 28 Nov 2026 10:05 UTC · sync failing: owners — HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read)';
    stubHubspotFetch({
      'GET /api/cards/v1/me': ok({ kind: 'me', version: 1, viewer: { ...rep.viewer, roles: ['admin'] }, freshness: { ...rep.freshness, syncFailing: [{ object: 'owners', reason: 'HubSpot refused the request (403 MISSING_SCOPES: crm.objects.owners.read)' }], display } }),
    });
    const r = renderSettings({ API_ORIGIN: ORIGIN });
    r.findByTestId(Button, 'check-connection').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(Alert)).not.toBeNull());
    const alert = r.find(Alert);
    expect(alert.props).toMatchObject({ title: 'Connected, but a sync is failing', variant: 'warning' });
    expect(visibleText(alert)).toBe(`This HubSpot account reaches the SPM backend and you are known to it. ${display}`);
  });

  it('shows why the connection fails, with the fix', async () => {
    stubHubspotFetch({
      'GET /api/cards/v1/me': apiError(401, 'unauthenticated', 'This account is not installed', { fix: 'install the app from the CRM' }),
    });
    const r = renderSettings({ API_ORIGIN: ORIGIN });
    r.findByTestId(Button, 'check-connection').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(Alert)).not.toBeNull());
    const alert = r.find(Alert);
    expect(alert.props).toMatchObject({ title: 'Not connected', variant: 'error' });
    expect(visibleText(alert)).toBe('This account is not installed install the app from the CRM');
  });

  it('rejects a backend origin that is not https and disables the check', () => {
    const r = renderSettings({ API_ORIGIN: 'http://localhost:8080' });
    const alert = r.find(Alert);
    expect(alert.props.variant).toBe('error');
    expect(visibleText(alert)).toContain('must be an https origin');
    expect(r.findByTestId(Button, 'check-connection').props.disabled).toBe(true);
  });
});
