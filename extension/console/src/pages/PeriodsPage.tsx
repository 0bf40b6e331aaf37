/// <reference lib="dom" />
import { useState } from 'react';
import { get, post, type PeriodRow, type PeriodSummary } from '../api.js';
import { formatMoney, PageHeading, Problem, Status, useAction, useLoad } from '../ui.js';

const ACTIONS = { calculate: 'Calculate', approve: 'Approve', lock: 'Lock' } as const;
type Action = keyof typeof ACTIONS;

/** Which step a period may take next (worker/src/db/periods.ts enforces the same). */
function allowed(p: PeriodRow): Action[] {
  switch (p.status) {
    case 'open':
      return ['calculate'];
    case 'calculated':
      return ['calculate', 'approve'];
    case 'approved':
      return ['calculate', 'lock'];
    case 'locked':
      return [];
  }
}

/** The period close: calculate, review, approve, lock. Locking freezes the statements for good. */
export function PeriodsPage() {
  const periods = useLoad(() => get<{ asOf: string; periods: PeriodRow[] }>('/periods'));
  const [confirming, setConfirming] = useState<string>();
  const [status, setStatus] = useState('');
  const action = useAction();

  async function act(period: string, step: Action) {
    setStatus('');
    setConfirming(undefined);
    await action.run(async () => {
      const r = await post<PeriodSummary>(`/periods/${encodeURIComponent(period)}/${step}`);
      const totals = Object.entries(r.totals)
        .map(([c, t]) => formatMoney(t, c))
        .join(' and ');
      setStatus(`${period} ${r.status}: ${r.payees} statement(s), ${totals || 'nothing to pay'}.${r.status === 'locked' ? ' Later changes will be paid as adjustments in the next open period.' : ''}`);
      periods.reload();
    });
  }

  return (
    <>
      <PageHeading>Periods</PageHeading>
      <p className="hint">Calculate a period, review its statements, approve them, then lock. A period can be locked only with the numbers that were approved.</p>
      <Problem error={periods.error ?? action.error} />
      {status ? <Status>{status}</Status> : null}
      {periods.data ? (
        <table>
          <caption>Periods up to {periods.data.asOf}, most recent first</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Cadence</th>
              <th scope="col">Dates</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {periods.data.periods.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <a href={`#/statements?period=${encodeURIComponent(p.id)}`}>{p.id}</a>
                </th>
                <td>{p.kind}</td>
                <td>
                  {p.start} to {p.lastDay} {p.ended ? '' : '(in progress)'}
                </td>
                <td>
                  <span className={`badge ${p.status}`}>{p.status}</span>
                  {p.status === 'approved' && p.approvedBy ? ` by ${p.approvedBy}` : ''}
                  {p.status === 'locked' && p.lockedBy ? ` by ${p.lockedBy}` : ''}
                </td>
                <td className="actions">
                  {allowed(p).map((a) =>
                    a === 'lock' && confirming !== p.id ? (
                      <button key={a} type="button" disabled={action.busy} onClick={() => setConfirming(p.id)}>
                        Lock {p.id}…
                      </button>
                    ) : (
                      <button key={a} type="button" disabled={action.busy} onClick={() => act(p.id, a)} className={a === 'lock' ? 'danger' : undefined}>
                        {a === 'lock' ? `Confirm: lock ${p.id} for good` : `${ACTIONS[a]} ${p.id}`}
                      </button>
                    ),
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
