/// <reference lib="dom" />
import { useState } from 'react';
import { API, get, type PeriodRow } from '../api.js';
import { PageHeading, Problem, useLoad } from '../ui.js';

/** The payroll file of a locked period: one row per payee, amounts as exact decimal strings. */
export function PayrollPage() {
  const periods = useLoad(() => get<{ periods: PeriodRow[] }>('/periods'));
  const locked = periods.data?.periods.filter((p) => p.status === 'locked') ?? [];
  const [chosen, setChosen] = useState<string>();
  const period = chosen ?? locked[0]?.id;
  return (
    <>
      <PageHeading>Payroll export</PageHeading>
      <p className="hint">
        Only locked periods can be exported, so payroll pays the approved numbers. Columns: payee_id, payee_name, period, currency, amount, line_count. Each payout line was rounded once to the currency's minor unit; the amount
        is their sum.
      </p>
      <Problem error={periods.error} />
      {periods.data && locked.length === 0 ? <p>No locked period yet: approve and lock one on the Periods page.</p> : null}
      {locked.length > 0 && period ? (
        <div className="row">
          <label htmlFor="payroll-period">Locked period</label>
          <select id="payroll-period" value={period} onChange={(e) => setChosen(e.target.value)}>
            {locked.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
          <a className="button" href={`${API}/payroll/${encodeURIComponent(period)}.csv`} download={`payroll-${period}.csv`}>
            Download payroll CSV for {period}
          </a>
        </div>
      ) : null}
    </>
  );
}
