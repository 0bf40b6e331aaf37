/// <reference lib="dom" />
import { useState, type FormEvent } from 'react';
import { navigate } from '../App.js';
import { get, post, type Dispute, type PeriodRow, type StatementDetail, type StatementLine, type StatementListing } from '../api.js';
import { formatMoney, PageHeading, Problem, signedMoney, Status, useAction, useLoad, utcTime } from '../ui.js';

/** Statements per rep for a period, each line with the engine's explanation; a deal line can be disputed. */
export function StatementsPage({ period, payee }: { period: string | undefined; payee: string | undefined }) {
  const periods = useLoad(() => get<{ periods: PeriodRow[] }>('/periods'));
  const chosen = period ?? periods.data?.periods.find((p) => p.ended)?.id;
  return (
    <>
      <PageHeading>Statements</PageHeading>
      <Problem error={periods.error} />
      <div className="row">
        <label htmlFor="statement-period">Period</label>
        <select id="statement-period" value={chosen ?? ''} onChange={(e) => navigate('statements', { period: e.target.value })}>
          {periods.data?.periods.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id} ({p.status})
            </option>
          ))}
        </select>
      </div>
      {chosen ? <PeriodStatements period={chosen} selected={payee} /> : null}
      {chosen && payee ? <PayeeStatement key={`${chosen}/${payee}`} period={chosen} payee={payee} /> : null}
    </>
  );
}

function PeriodStatements({ period, selected }: { period: string; selected: string | undefined }) {
  const list = useLoad(() => get<StatementListing>(`/statements?period=${encodeURIComponent(period)}`), [period]);
  if (list.error) return <Problem error={list.error} />;
  if (!list.data) return <p>Loading…</p>;
  return (
    <table>
      <caption>
        {list.data.statements.length} statement(s) for {period} ({list.data.source === 'locked' ? 'locked: as approved' : <>computed at {utcTime(list.data.computedAt)} on the current data</>})
      </caption>
      <thead>
        <tr>
          <th scope="col">Payee</th>
          <th scope="col" className="num">
            Total
          </th>
          <th scope="col" className="num">
            Lines
          </th>
          <th scope="col">
            <span className="visually-hidden">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.data.statements.map((s) => (
          <tr key={s.payeeId} aria-current={s.payeeId === selected ? 'true' : undefined}>
            <th scope="row">
              {s.payeeName} <span className="muted">({s.payeeId})</span>
            </th>
            <td className="num">{formatMoney(s.total, s.currency)}</td>
            <td className="num">{s.lines}</td>
            <td>
              <a href={`#/statements?period=${encodeURIComponent(period)}&payee=${encodeURIComponent(s.payeeId)}`}>Open statement of {s.payeeName}</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PayeeStatement({ period, payee }: { period: string; payee: string }) {
  const detail = useLoad(() => get<StatementDetail>(`/statements/${encodeURIComponent(period)}/${encodeURIComponent(payee)}`));
  const [disputing, setDisputing] = useState<string>();
  if (detail.error) return <Problem error={detail.error} />;
  if (!detail.data) return <p>Loading…</p>;
  const s = detail.data.statement;
  return (
    <section aria-labelledby="statement-heading">
      <h2 id="statement-heading">
        {s.payeeName} · {s.period.id} · {formatMoney(s.total, s.currency)}
      </h2>
      <p className="hint">
        {detail.data.source === 'locked' ? 'Locked: these are the approved lines; later changes appear as adjustments in the next open period.' : 'Computed now on the current data.'} Rounding residual (exact minus paid, over all lines):{' '}
        {s.residual} {s.currency}.
      </p>
      <table>
        <caption>Payout lines of {s.payeeName}</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Explanation</th>
            <th scope="col">
              <span className="visually-hidden">Dispute</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.lines.map((l) => (
            <tr key={l.key}>
              <td>{l.kind}</td>
              <td>{l.date}</td>
              <td className="num">{formatMoney(l.amount, s.currency)}</td>
              <td className="explanation">{l.explanation}</td>
              <td>
                {l.provenance?.deal ? (
                  <button type="button" onClick={() => setDisputing(l.key)} aria-expanded={disputing === l.key}>
                    Dispute {l.kind} line for {l.provenance.deal.id}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {disputing ? <DisputeForm period={period} payee={payee} line={s.lines.find((l) => l.key === disputing)!} onDone={detail.reload} /> : null}
      {detail.data.disputes.length > 0 ? (
        <>
          <h3>Disputes on this statement</h3>
          <ul>
            {detail.data.disputes.map((d) => (
              <li key={d.id}>
                {d.lineKey}: {d.status}, {signedMoney(d.result.delta, d.result.currency)} if the claim is right
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function DisputeForm({ period, payee, line, onDone }: { period: string; payee: string; line: StatementLine; onDone: () => void }) {
  const deal = line.provenance!.deal!;
  const [amount, setAmount] = useState(deal.amount);
  const [note, setNote] = useState('');
  const [opened, setOpened] = useState<Dispute>();
  const action = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await action.run(async () => {
      setOpened(await post<Dispute>('/disputes', { period, payeeId: payee, lineKey: line.key, claim: { dealAmount: amount.trim() }, note }));
      onDone();
    });
  }

  return (
    <form onSubmit={submit} aria-labelledby="dispute-heading" className="panel">
      <h3 id="dispute-heading">
        Dispute: {deal.name || deal.id} ({deal.currency} {formatMoney(deal.amount)} in the CRM)
      </h3>
      <div className="row">
        <label htmlFor="dispute-amount">Claimed deal amount ({deal.currency})</label>
        <input id="dispute-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-describedby="dispute-hint" />
      </div>
      <p className="hint" id="dispute-hint">
        Digits with an optional decimal point, no thousands separators. The period is recomputed with this amount to show what would change.
      </p>
      <div className="row">
        <label htmlFor="dispute-note">What the rep says</label>
        <textarea id="dispute-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      {/* Opening a dispute is not idempotent: a second click while the first runs would open two. */}
      <button type="submit" disabled={action.busy}>
        Open dispute
      </button>
      <Problem error={action.error} />
      {opened ? (
        <Status>
          Dispute opened: if the claim is right, {opened.period} pays {formatMoney(opened.result.totalAfter, opened.result.currency)} instead of {formatMoney(opened.result.totalBefore, opened.result.currency)} (
          {signedMoney(opened.result.delta, opened.result.currency)}). <a href="#/disputes">See all disputes</a>
        </Status>
      ) : null}
    </form>
  );
}
