/// <reference lib="dom" />
import { get, type QueueHealth } from '../api.js';
import { PageHeading, Problem, useLoad } from '../ui.js';

const STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;

/** The job runner's own health report and queue depths (sync, compute, coaching, write-back). */
export function QueuePage() {
  const queue = useLoad(() => get<QueueHealth>('/queue'));
  const extra = queue.data ? Object.entries(queue.data.health).filter(([k]) => k !== 'ok' && k !== 'mode') : [];
  return (
    <>
      <PageHeading>Queue health</PageHeading>
      <button type="button" onClick={queue.reload} disabled={queue.loading}>
        Refresh
      </button>
      <Problem error={queue.error} />
      {queue.data ? (
        <>
          <p>
            Runner: <span className={`badge ${queue.data.health.ok ? 'approved' : 'failed'}`}>{queue.data.health.ok ? 'healthy' : 'unhealthy'}</span> ({queue.data.health.mode})
          </p>
          {extra.length > 0 ? (
            <dl>
              {extra.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          <table>
            <caption>Jobs per queue and state</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {STATES.map((s) => (
                  <th key={s} scope="col" className="num">
                    {s}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Object.entries(queue.data.counts).map(([family, counts]) => (
                <tr key={family}>
                  <th scope="row">{family}</th>
                  {STATES.map((s) => (
                    <td key={s} className="num">
                      {counts[s] ?? 0}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
