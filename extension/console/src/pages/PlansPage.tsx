/// <reference lib="dom" />
import { useMemo, useRef, useState } from 'react';
import { ApiError, get, post, type Issue, type PlanSummary, type Simulation, type Validation } from '../api.js';
import { formatMoney, PageHeading, Problem, signedMoney, Status, useAction, useLoad } from '../ui.js';

const LINE_HEIGHT_PX = 20;

/**
 * The plan editor: edit a plan's YAML (docs/plans.md), validate it with the server's
 * checks, simulate it on the last closed period against the published version, and only
 * then publish it as a new version.
 */
export function PlansPage() {
  const plans = useLoad(() => get<{ plans: PlanSummary[] }>('/plans'));
  const [selected, setSelected] = useState<string>('');
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<readonly Issue[]>([]);
  const [checked, setChecked] = useState<string | undefined>();
  const [period, setPeriod] = useState('');
  const [simulation, setSimulation] = useState<{ text: string; result: Simulation } | undefined>();
  // A refusal's field problems are marked on their lines in the editor, not only listed.
  const action = useAction((e) => {
    if (e instanceof ApiError && e.issues.length > 0) setIssues(e.issues);
  });
  const [status, setStatus] = useState<{ text: string; tone: 'done' | 'warning' }>({ text: '', tone: 'done' });
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const byLine = useMemo(() => {
    const map = new Map<number, Issue[]>();
    for (const i of issues) if (i.line !== undefined) map.set(i.line, [...(map.get(i.line) ?? []), i]);
    return map;
  }, [issues]);

  function open(id: string) {
    setSelected(id);
    const plan = plans.data?.plans.find((p) => p.id === id);
    // A new version starts from the latest one with its number raised.
    setText(plan ? plan.latestText.replace(/^version: \d+$/m, `version: ${plan.latestVersion + 1}`) : '');
    setIssues([]);
    setSimulation(undefined);
    setChecked(undefined);
    setStatus({ text: '', tone: 'done' });
    action.clear();
  }

  function goToLine(line: number) {
    const area = textarea.current;
    if (!area) return;
    const lines = area.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    area.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT_PX);
  }

  function run<T>(call: () => Promise<T>): Promise<T | undefined> {
    setStatus({ text: '', tone: 'done' });
    return action.run(call);
  }

  async function validate() {
    const result = await run(() => post<Validation>('/plans/validate', { text }));
    if (!result) return;
    setIssues(result.issues);
    setChecked(text);
    setStatus(result.ok ? { text: `No problems: ${result.planId} version ${result.version} is ready to simulate.`, tone: 'done' } : { text: `${result.issues.length} problem(s) found; they are marked in the editor.`, tone: 'warning' });
  }

  async function simulate() {
    const result = await run(() => post<Simulation>('/plans/simulate', { text, ...(period.trim() ? { period: period.trim() } : {}) }));
    if (!result) return;
    setIssues([]);
    setChecked(text);
    setSimulation({ text, result });
    setStatus({ text: `Simulated on ${result.period}: ${result.payees.length} payee(s) would be paid differently.`, tone: 'done' });
  }

  async function publish() {
    const result = await run(() => post<{ planId: string; version: number; effectiveFrom: string }>('/plans', { text }));
    if (!result) return;
    setSimulation(undefined);
    setStatus({ text: `Published ${result.planId} version ${result.version}, effective from ${result.effectiveFrom}. Calculate the open periods to apply it; locked periods get adjustments.`, tone: 'done' });
    plans.reload();
  }

  const simulatedThis = simulation !== undefined && simulation.text === text;

  return (
    <>
      <PageHeading>Plans</PageHeading>
      <Problem error={plans.error} />
      <div className="row">
        <label htmlFor="plan-select">Plan</label>
        <select id="plan-select" value={selected} onChange={(e) => open(e.target.value)}>
          <option value="">Choose a plan to edit…</option>
          {plans.data?.plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.id}, v{p.latestVersion}, {p.period})
            </option>
          ))}
        </select>
      </div>
      {selected ? (
        <section aria-labelledby="editor-heading">
          <h2 id="editor-heading">Draft of {selected}</h2>
          <p className="hint">The draft starts as the published version with its number raised. Write money and rates as quoted strings ("0.08").</p>
          <label htmlFor="plan-text">Plan document (YAML)</label>
          <div className="editor">
            <div className="gutter" aria-hidden="true" ref={gutter}>
              {Array.from({ length: lineCount }, (_, i) => (
                <div key={i} className={byLine.has(i + 1) ? 'mark' : undefined} title={byLine.get(i + 1)?.map((x) => x.message).join('; ')}>
                  {byLine.has(i + 1) ? '⚠ ' : ''}
                  {i + 1}
                </div>
              ))}
            </div>
            <textarea
              id="plan-text"
              ref={textarea}
              value={text}
              spellCheck={false}
              aria-invalid={issues.length > 0}
              aria-describedby="plan-issues"
              onChange={(e) => {
                setText(e.target.value);
                setChecked(undefined);
              }}
              onScroll={(e) => {
                if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
              }}
            />
          </div>
          <div id="plan-issues">
            {issues.length > 0 ? (
              <>
                <h3>Problems in this draft</h3>
                <ul className="issues">
                  {issues.map((i, n) => (
                    <li key={n}>
                      {i.line !== undefined ? (
                        <button type="button" className="link" onClick={() => goToLine(i.line!)}>
                          Line {i.line}
                        </button>
                      ) : null}{' '}
                      <code>{i.path || '(top level)'}</code>: {i.message}. <strong>Fix:</strong> {i.fix}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
          <div className="row">
            <button type="button" onClick={validate} disabled={action.busy}>
              Validate
            </button>
            <label htmlFor="simulate-period">Simulate on period</label>
            <input id="simulate-period" value={period} onChange={(e) => setPeriod(e.target.value)} placeholder="last closed period" aria-describedby="simulate-hint" size={18} />
            <button type="button" onClick={simulate} disabled={action.busy}>
              Simulate
            </button>
            <button type="button" onClick={publish} disabled={action.busy || !simulatedThis} aria-describedby="publish-hint">
              Publish
            </button>
          </div>
          <p className="hint" id="simulate-hint">
            Leave the period empty to use the last period of the plan's cadence that has ended.
          </p>
          <p className="hint" id="publish-hint">
            {simulatedThis ? 'This draft was simulated; publishing saves it as a new version.' : checked === text ? 'Simulate this draft before publishing it.' : 'Publish is available once this exact draft has been simulated.'}
          </p>
          <Problem error={action.error} />
          {status.text ? <Status tone={status.tone}>{status.text}</Status> : null}
          {simulation ? <SimulationTable simulation={simulation.result} stale={!simulatedThis} /> : null}
        </section>
      ) : null}
    </>
  );
}

function SimulationTable({ simulation, stale }: { simulation: Simulation; stale: boolean }) {
  return (
    <section aria-labelledby="simulation-heading">
      <h2 id="simulation-heading">
        Simulation on {simulation.period}: draft v{simulation.version} against the published plan
      </h2>
      {stale ? <p className="warning">The draft changed after this simulation: simulate again before publishing.</p> : null}
      {simulation.note ? <p className="hint">Note: {simulation.note}.</p> : null}
      {simulation.payees.length === 0 ? (
        <p>Nobody would be paid differently in {simulation.period}.</p>
      ) : (
        <table>
          <caption>Statement totals per payee, published plan vs draft</caption>
          <thead>
            <tr>
              <th scope="col">Payee</th>
              <th scope="col" className="num">
                Published
              </th>
              <th scope="col" className="num">
                Draft
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col">Lines that change</th>
            </tr>
          </thead>
          <tbody>
            {simulation.payees.map((p) => (
              <tr key={p.payeeId}>
                <th scope="row">
                  {p.payeeName} <span className="muted">({p.payeeId})</span>
                </th>
                <td className="num">{formatMoney(p.totalBefore, p.currency)}</td>
                <td className="num">{formatMoney(p.totalAfter, p.currency)}</td>
                <td className="num">{signedMoney(p.delta, p.currency)}</td>
                <td>
                  <details>
                    <summary>{p.changes.length} line(s)</summary>
                    <ul>
                      {p.changes.map((c) => (
                        <li key={c.key}>
                          {c.kind} {formatMoney(c.before)} → {formatMoney(c.after)} ({c.cause}): {c.explanation}
                        </li>
                      ))}
                    </ul>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
