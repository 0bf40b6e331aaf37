/// <reference lib="dom" />
import { get, type Connections } from '../api.js';
import { PageHeading, Problem, useLoad } from '../ui.js';

/** Where an admin connects the CRM: the buttons go to the connectors' install routes (OAuth), which come back here. */
export function ConnectPage() {
  const { data, error } = useLoad(() => get<Connections>('/connections'));
  const connected = (source: string) => data?.connections.find((c) => c.source === source);
  return (
    <>
      <PageHeading>Connect your CRM</PageHeading>
      <Problem error={error} />
      {data ? (
        <>
          <p>
            Account: <strong>{data.tenant?.name ?? 'not connected yet'}</strong>
            {data.tenant ? ` (${data.tenant.source}, home currency ${data.tenant.home_currency})` : null}
          </p>
          <h2>CRM connections</h2>
          <ul className="cards">
            {(['hubspot', 'salesforce'] as const).map((source) => {
              const c = connected(source);
              const label = source === 'hubspot' ? 'HubSpot' : 'Salesforce';
              return (
                <li key={source} className="card">
                  <h3>{label}</h3>
                  <p>{c ? `Status: ${c.status}${c.lastError ? ` — ${c.lastError}` : ''}` : 'Not connected'}</p>
                  <a className="button" href={data.links[source]}>
                    {c ? `Reconnect ${label}` : `Connect ${label}`}
                  </a>
                </li>
              );
            })}
          </ul>
          <p className="hint">Connecting opens the CRM's own sign-in and consent page, then brings you back here. Tokens are stored encrypted and never shown.</p>
        </>
      ) : null}
    </>
  );
}
