/// <reference lib="dom" />
import { useState, type FormEvent } from 'react';
import { get, post, type QuotaImport, type QuotaRow } from '../api.js';
import { formatMoney, PageHeading, Problem, Status, useAction, useLoad } from '../ui.js';

/** Quota upload: a quotas.csv (docs/data-format.md) is imported whole or not at all, with every bad row listed. */
export function QuotasPage() {
  const quotas = useLoad(() => get<{ quotas: QuotaRow[] }>('/quotas'));
  const [file, setFile] = useState<File>();
  const [result, setResult] = useState<QuotaImport>();
  const action = useAction();

  async function upload(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setResult(undefined);
    await action.run(async () => {
      const csv = await file.text();
      const r = await post<QuotaImport>('/quotas/import', { csv }, [422]);
      setResult(r);
      if (r.ok) quotas.reload();
    });
  }

  return (
    <>
      <PageHeading>Quotas</PageHeading>
      <form onSubmit={upload} className="row">
        <label htmlFor="quota-file">Quotas CSV file</label>
        <input id="quota-file" type="file" accept=".csv,text/csv" aria-describedby="quota-hint" onChange={(e) => setFile(e.target.files?.[0])} />
        <button type="submit" disabled={!file || action.busy}>
          Import quotas
        </button>
      </form>
      <p className="hint" id="quota-hint">
        Columns: id, userId or teamId, period, target, and optionally measure, currency, phasing, version, effectiveFrom. If any row has a problem, nothing is imported: fix the rows listed and upload the file again. Rows already
        imported are skipped; to change a quota, add a row with a higher version.
      </p>
      <Problem error={action.error} />
      {result?.ok ? (
        <Status>
          Imported {result.imported} new quota version(s) from {result.rows} row(s); {result.unchanged} were already there.
        </Status>
      ) : null}
      {result && !result.ok ? (
        <div role="alert">
          <p className="problem">
            <strong>Nothing was imported:</strong> {result.issues.length} problem(s) in {result.rows} row(s).
          </p>
          <table>
            <caption>Rows to fix</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Where</th>
                <th scope="col">Problem</th>
                <th scope="col">Fix</th>
              </tr>
            </thead>
            <tbody>
              {result.issues.map((i, n) => (
                <tr key={n}>
                  <td>{i.line}</td>
                  <td>
                    <code>{i.path}</code>
                  </td>
                  <td>{i.message}</td>
                  <td>{i.fix}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <h2>Stored quotas</h2>
      <Problem error={quotas.error} />
      {quotas.data ? (
        <table>
          <caption>{quotas.data.quotas.length} quota version(s), latest periods first</caption>
          <thead>
            <tr>
              <th scope="col">Quota</th>
              <th scope="col">Version</th>
              <th scope="col">Owner</th>
              <th scope="col">Measure</th>
              <th scope="col">Period</th>
              <th scope="col" className="num">
                Target
              </th>
              <th scope="col">Effective from</th>
            </tr>
          </thead>
          <tbody>
            {quotas.data.quotas.map((q) => (
              <tr key={`${q.id}@${q.version}`}>
                <th scope="row">{q.id}</th>
                <td>{q.version}</td>
                <td>{q.userId ?? `team ${q.teamId ?? ''}`}</td>
                <td>{q.measure}</td>
                <td>{q.period}</td>
                <td className="num">{formatMoney(q.target, q.currency ?? undefined)}</td>
                <td>{q.effectiveFrom === '0001-01-01' ? 'always' : q.effectiveFrom}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
