/// <reference lib="dom" />
import { useState } from 'react';
import { get, post, type Connections, type SyncRequestResult, type SyncStatus } from '../api.js';
import { PageHeading, Problem, Status, useAction, useLoad, utcTime } from '../ui.js';

/** A timestamp from the API as the admin reads it, in UTC (the worker's clock): "2026-10-15 12:00 UTC". */
const STATE_BADGE = { 'first-sync': 'calculated', failing: 'failed', paused: 'failed', 'up-to-date': 'approved' } as const;

function stateText(s: SyncStatus) {
  switch (s.state) {
    case 'first-sync':
      return 'first sync running';
    case 'failing':
      return 'failing';
    case 'paused':
      // A paused object always has its pause's end (admin-router.ts syncStatus).
      return <>paused until {utcTime(s.pausedUntil!)}</>;
    case 'up-to-date':
      return 'up to date';
  }
}

/**
 * "Sync now" for one object: queues an incremental sync of it (disabled while the request
 * runs), then says what the server answered. Not offered while the object is paused.
 */
function SyncNow({ sync: s }: { sync: SyncStatus }) {
  const action = useAction();
  const [answer, setAnswer] = useState('');
  async function run() {
    setAnswer('');
    const r = await action.run(() => post<SyncRequestResult>(`/syncs/${encodeURIComponent(s.source)}/${encodeURIComponent(s.object)}/run`));
    if (r) setAnswer(r.queued ? 'Queued' : 'Already queued: a sync of this object is waiting or running');
  }
  return (
    <>
      <button type="button" className="sync-now" disabled={action.busy} onClick={run}>
        Sync now<span className="visually-hidden">: {s.object}</span>
      </button>
      <Problem error={action.error} />
      {answer ? <Status>{answer}</Status> : null}
    </>
  );
}

/** Where each object of one CRM stands, with the error the worker recorded for a failing or paused one; "Sync now" when connected. */
function SyncTable({ label, syncs, connected }: { label: string; syncs: readonly SyncStatus[]; connected: boolean }) {
  return (
    <table>
      <caption>{label} sync status</caption>
      <thead>
        <tr>
          <th scope="col">Object</th>
          <th scope="col">State</th>
          <th scope="col">Last synced</th>
          <th scope="col">Error</th>
          {connected ? <th scope="col">Sync</th> : null}
        </tr>
      </thead>
      <tbody>
        {syncs.map((s) => (
          <tr key={s.object}>
            <th scope="row">{s.object}</th>
            <td>
              <span className={`badge ${STATE_BADGE[s.state]}`}>{stateText(s)}</span>
            </td>
            <td>{s.lastSyncedAt ? utcTime(s.lastSyncedAt) : 'never'}</td>
            {/* The recorded error in full: it says what to do. */}
            <td className="explanation problem recorded-error">
              {s.error ?? ''}
            </td>
            {connected ? <td>{s.state === 'paused' ? null : <SyncNow sync={s} />}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
              const syncs = data.syncs.filter((s) => s.source === source);
              return (
                <li key={source} className={syncs.length > 0 ? 'card wide' : 'card'}>
                  <h3>{label}</h3>
                  <p>{c ? `Status: ${c.status}${c.lastError ? ` — ${c.lastError}` : ''}` : 'Not connected'}</p>
                  {syncs.length > 0 ? <SyncTable label={label} syncs={syncs} connected={c !== undefined && c.status !== 'revoked'} /> : c ? <p className="hint">No object has synced yet.</p> : null}
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
