/**
 * Installs the app the way an admin's browser does: our connect route redirects to the
 * CRM's consent page, the CRM (here a sandbox that consents at once) redirects back to
 * our callback with a code, and the callback exchanges it, stores the tokens and signs
 * the installer in (the session cookie is returned, as a browser would keep it). Only
 * HTTP redirects are followed; nothing reaches into the app's internals.
 */
export async function installThroughBrowser(startUrl: string, callbackOrigin: string): Promise<{ tenantId: string | undefined; sessionCookie: string | undefined }> {
  let url = startUrl;
  let sessionCookie: string | undefined;
  for (let hop = 0; hop < 6; hop++) {
    const res = await fetch(url, { redirect: 'manual' });
    // Only the app's own cookies: the sandbox CRMs' consent pages are other sites.
    if (url.startsWith(callbackOrigin)) sessionCookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ') || sessionCookie;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).toString();
      continue;
    }
    const body = await res.text();
    if (res.status !== 200) throw new Error(`install via ${startUrl} stopped at ${url} with HTTP ${res.status}: ${body.slice(0, 300)}`);
    if (!url.startsWith(callbackOrigin)) throw new Error(`install via ${startUrl} ended outside the app, at ${url}`);
    return { tenantId: tenantFrom(body), sessionCookie };
  }
  throw new Error(`install via ${startUrl} redirected more than 6 times`);
}

function tenantFrom(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { tenantId?: unknown };
    if (typeof json.tenantId === 'string') return json.tenantId;
  } catch {
    // HubSpot's callback answers in plain text: "Installed for HubSpot portal 123…".
  }
  const portal = /portal (\d+)/.exec(body);
  return portal ? `hs-${portal[1]}` : undefined;
}
