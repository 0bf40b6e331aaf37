/// <reference lib="dom" />
import { useState } from 'react';
import { get, post, type Dispute } from '../api.js';
import { formatMoney, PageHeading, Problem, signedMoney, Status, useAction, useLoad } from '../ui.js';

/** Every dispute with the rep's claim and the recomputed difference; an admin accepts or rejects each once. */
export function DisputesPage() {
  const disputes = useLoad(() => get<{ disputes: Dispute[] }>('/disputes'));
  return (
    <>
      <PageHeading>Disputes</PageHeading>
      <p className="hint">
        Open a dispute from a line of a statement. Accepting records the decision: correct the deal in the CRM and the engine pays the difference (as an adjustment in the next open period if the period is locked).
      </p>
      <Problem error={disputes.error} />
      {disputes.data?.disputes.length === 0 ? <p>No disputes yet.</p> : null}
      <ul className="cards">
        {disputes.data?.disputes.map((d) => (
          <DisputeCard key={d.id} dispute={d} onDecided={disputes.reload} />
        ))}
      </ul>
    </>
  );
}

function DisputeCard({ dispute: d, onDecided }: { dispute: Dispute; onDecided: () => void }) {
  const [resolution, setResolution] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const id = `resolution-${d.id}`;

  async function decide(status: 'accepted' | 'rejected') {
    await action.run(async () => {
      const r = await post<Dispute>(`/disputes/${encodeURIComponent(d.id)}/decision`, { status, resolution });
      setDone(`Dispute ${r.status}.`);
      onDecided();
    });
  }

  return (
    <li className="card wide">
      <h2>
        {d.payeeId} · {d.period} · deal {d.result.dealId} <span className={`badge ${d.status}`}>{d.status}</span>
      </h2>
      <p>
        Claim: {d.claim.dealAmount !== undefined ? `deal amount ${formatMoney(d.claim.dealAmount, d.result.currency)}` : 'different splits'}
        {d.note ? ` — “${d.note}”` : ''}
      </p>
      <p>
        If the claim is right the period pays {formatMoney(d.result.totalAfter, d.result.currency)} instead of {formatMoney(d.result.totalBefore, d.result.currency)}:{' '}
        <strong>{signedMoney(d.result.delta, d.result.currency)}</strong>.
      </p>
      <details>
        <summary>{d.result.changes.length} line(s) change</summary>
        <ul>
          {d.result.changes.map((c) => (
            <li key={c.key}>
              {c.kind} {formatMoney(c.before)} → {formatMoney(c.after)}: {c.explanation}
            </li>
          ))}
        </ul>
      </details>
      {d.status === 'open' ? (
        <div className="row">
          <label htmlFor={id}>Resolution</label>
          <input id={id} value={resolution} onChange={(e) => setResolution(e.target.value)} size={40} />
          <button type="button" disabled={action.busy} onClick={() => decide('accepted')}>
            Accept
          </button>
          <button type="button" disabled={action.busy} onClick={() => decide('rejected')}>
            Reject
          </button>
        </div>
      ) : (
        <p>
          {d.status} by {d.resolvedBy}: {d.resolution}
        </p>
      )}
      <Problem error={action.error} />
      {done ? <Status>{done}</Status> : null}
    </li>
  );
}
