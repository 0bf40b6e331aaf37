import { Alert, BarChart, Button, DescriptionListItem, EmptyState, ErrorState, Flex, LineChart, LoadingSpinner, ProgressBar, StatisticsItem, Table, TableCell, TableRow, Tag, Text, Tile } from '@hubspot/ui-extensions';
import { createRenderer, type RenderedElementNode } from '@hubspot/ui-extensions/testing';
import type { TableProps } from '@hubspot/ui-extensions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HomeDashboard } from '../../../extension/hubspot/src/app/cards/components/HomeDashboard.js';
import { apiError, heldReply, ok, stubHubspotFetch, type Reply } from './fetch-stub.js';
import { attainmentTrendChart, managerCard, ORIGIN, pipelineChart, repCard, taskCreated, teamDistributionChart } from './fixtures.js';
import { visibleText } from './visible-text.js';

const context = { variables: { API_ORIGIN: ORIGIN } };
const REP = 'GET /api/cards/v1/rep';
const MANAGER = 'GET /api/cards/v1/manager';
const TASK = 'POST /api/cards/v1/manager/prompts/cp_00a1b2c3d4e5f607/tasks';

const repCharts = {
  'GET /api/cards/v1/charts/attainment-trend?subjectId=u-dana': ok(attainmentTrendChart),
  'GET /api/cards/v1/charts/pipeline-by-stage?subjectId=u-dana': ok(pipelineChart),
};
const mariaRep = repCard({ viewer: { userId: 'u-maria', name: 'Maria Lopez', roles: ['rep', 'manager'] }, rep: { userId: 'u-maria', name: 'Maria Lopez' } });
const managerRoutes = {
  [REP]: ok(mariaRep),
  ...repCharts,
  [MANAGER]: ok(managerCard()),
  'GET /api/cards/v1/charts/team-distribution?subjectId=u-maria': ok(teamDistributionChart),
  'GET /api/cards/v1/charts/pipeline-by-stage?subjectId=u-maria': ok(pipelineChart),
};

function renderHome() {
  const renderer = createRenderer('home');
  renderer.render(<HomeDashboard context={context} />);
  return renderer;
}

const settled = (r: ReturnType<typeof renderHome>) => r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
const statistic = (r: ReturnType<typeof renderHome>, label: string) => r.find(StatisticsItem, { label }).props.number;
const tableRows = (table: RenderedElementNode<TableProps>) => table.findAll(TableRow).slice(1).map((row) => row.findAll(TableCell).map(visibleText));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('home page: the rep view', () => {
  it('shows a spinner, then earnings, attainment, the next tier, KPIs against the team and charts', async () => {
    const held = heldReply();
    const { calls } = stubHubspotFetch({ ...repCharts, [REP]: held.promise });
    const r = renderHome();
    expect(r.find(LoadingSpinner).props.label).toBe('Loading your commissions');
    held.release(ok(repCard()));
    await settled(r);

    // fixtures.ts: 270,000 at 8 % = 21,600.00 earned; + 4,560.00 + 4,560.00 if both open deals close;
    // + 60 % and 40 % of them if weighted by stage probability.
    expect(statistic(r, 'Earned to date')).toBe('USD 21,600.00');
    expect(statistic(r, 'If every open deal closes')).toBe('USD 30,720.00');
    expect(statistic(r, 'Likely by period end')).toBe('USD 26,160.00');

    const bar = r.find(ProgressBar);
    expect(bar.props.title).toBe('Attainment: Revenue');
    expect(bar.props.value).toBe(90);
    expect(bar.props.valueDescription).toBe('90 % · USD 270,000.00 of USD 300,000.00');
    expect(visibleText(r.findByTestId(Text, 'next-tier'))).toBe('Tier 2 starts at 100 %: USD 30,000.00 more to get there.');

    expect(tableRows(r.findByTestId(Table, 'rep-kpis'))).toEqual([
      ['Win rate', '41.7 %', '35 %', 'Better than team'],
      ['Pipeline coverage', '1.8×', '2.6×', 'Behind team'],
    ]);
    expect(r.findAll(Tag).map((tag) => tag.props.variant)).toEqual(['success', 'warning']);

    const trend = r.findByTestId(LineChart, 'chart-attainment-trend');
    expect(trend.props.data).toEqual([
      { x: '2026-Q3', y: 104.2 },
      { x: '2026-Q4', y: 90 },
    ]);
    expect(trend.props.axes.y.label).toBe('Attainment (%)');
    const pipeline = r.findByTestId(BarChart, 'chart-pipeline-by-stage');
    expect(pipeline.props.axes.y.label).toBe('Amount (USD)');
    expect(pipeline.props.options?.title).toBe('Open pipeline by stage');

    // A rep is not a manager: the team view is never requested.
    expect(calls.map((c) => new URL(c.url).pathname)).not.toContain('/api/cards/v1/manager');
    expect(r.maybeFindByTestId(Flex, 'manager-view')).toBeNull();
  });

  it('says when the rep has no plan this period instead of showing empty bars', async () => {
    stubHubspotFetch({ ...repCharts, [REP]: ok(repCard({ attainment: [], kpis: [], nextTier: null })) });
    const r = renderHome();
    await settled(r);
    const empty = r.find(EmptyState);
    expect(empty.props.title).toBe('No plan for Dana Reyes in 2026-Q4');
    expect(r.maybeFind(ProgressBar)).toBeNull();
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('shows a lock when the backend refuses the viewer, with its fix', async () => {
    stubHubspotFetch({ [REP]: apiError(403, 'forbidden', 'You are not a payee or manager in this account.', { fix: 'Ask your admin to add you to a plan.' }) });
    const r = renderHome();
    await settled(r);
    const error = r.find(ErrorState);
    expect(error.props.type).toBe('lock');
    expect(error.props.title).toBe("You can't see your commissions");
    expect(visibleText(error)).toContain('Ask your admin to add you to a plan.');
  });
});

describe('home page: the manager view', () => {
  it('adds the team, ranked by attainment, below the manager\'s own figures', async () => {
    stubHubspotFetch(managerRoutes);
    const r = renderHome();
    await settled(r);

    expect(statistic(r, 'Earned to date')).toBe('USD 21,600.00');
    expect(tableRows(r.findByTestId(Table, 'team-table'))).toEqual([
      ['1', 'Lee Chen', '112.5 %', '3.1×', '44 %', '86 activities', 'USD 31,500.00'],
      ['2', 'Dana Reyes', '90 %', '1.8×', '41.7 %', '64 activities', 'USD 21,600.00'],
      ['3', 'Sam Okafor', '38 %', '1.2×', '22.2 %', '31 activities', 'USD 9,120.00'],
    ]);
    expect(r.findByTestId(BarChart, 'chart-team-distribution').props.data).toEqual([
      { x: '0–50 %', y: 1 },
      { x: '50–100 %', y: 1 },
      { x: '100 %+', y: 1 },
    ]);
    const prompt = r.find(Tile);
    // Initech: 40,000.00 × 8 % = 3,200.00 at stake; × 0.5 likelihood = 1,600.00 expected.
    expect(visibleText(prompt)).toContain('Sam Okafor: Initech expansion has gone quiet');
    expect(visibleText(prompt.find(DescriptionListItem, { label: 'Commission at stake' }))).toBe('USD 3,200.00');
    expect(visibleText(prompt.find(DescriptionListItem, { label: 'Expected value' }))).toBe('USD 1,600.00');
    expect(visibleText(prompt.find(DescriptionListItem, { label: 'Days since last activity' }))).toBe('21');
  });

  it('turns a coaching prompt into a task: POST with an idempotency key, then a success alert', async () => {
    const { calls } = stubHubspotFetch({ ...managerRoutes, [TASK]: ok(taskCreated) });
    const r = renderHome();
    await settled(r);

    const button = r.findByTestId(Button, 'create-task-cp_00a1b2c3d4e5f607');
    expect(visibleText(button)).toBe('Create a task for Sam Okafor');
    button.trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(Alert)).not.toBeNull());

    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url).toBe(`${ORIGIN}/api/cards/v1/manager/prompts/cp_00a1b2c3d4e5f607/tasks`);
    expect(Object.keys(posts[0]?.body ?? {})).toEqual(['idempotencyKey']);
    expect(String(posts[0]?.body?.['idempotencyKey']).length).toBeGreaterThanOrEqual(8);

    const alert = r.find(Alert);
    expect(alert.props.variant).toBe('success');
    expect(alert.props.title).toBe('Task created');
    expect(visibleText(alert)).toBe('Sam Okafor has a new task in the CRM: "Initech expansion has gone quiet".');
    const done = r.findByTestId(Button, 'create-task-cp_00a1b2c3d4e5f607');
    expect(done.props.disabled).toBe(true);
    expect(visibleText(done)).toBe('Task created');
  });

  it('shows an error alert when the task fails, and the retry reuses the same idempotency key', async () => {
    let attempts = 0;
    const { calls } = stubHubspotFetch({
      ...managerRoutes,
      [TASK]: (): Reply => {
        attempts += 1;
        return attempts === 1
          ? apiError(500, 'internal', 'The CRM did not accept the task.', { requestId: 'req_91c2' })
          : ok({ ...taskCreated, task: { ...taskCreated.task, created: false } });
      },
    });
    const r = renderHome();
    await settled(r);

    r.findByTestId(Button, 'create-task-cp_00a1b2c3d4e5f607').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(Alert)).not.toBeNull());
    const failure = r.find(Alert);
    expect(failure.props.variant).toBe('error');
    expect(failure.props.title).toBe('The task was not created');
    expect(visibleText(failure)).toContain('The CRM did not accept the task. Reference: req_91c2');
    const retry = r.findByTestId(Button, 'create-task-cp_00a1b2c3d4e5f607');
    expect(retry.props.disabled).toBe(false);

    retry.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).props.variant).toBe('success'));
    // The first request may have reached the CRM before failing: the same key makes the retry safe.
    const keys = calls.filter((c) => c.method === 'POST').map((c) => c.body?.['idempotencyKey']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(r.find(Alert).props.title).toBe('Task already exists');
  });

  it('says when nobody reports to the manager', async () => {
    stubHubspotFetch({ ...managerRoutes, [MANAGER]: ok(managerCard({ team: [], prompts: [] })) });
    const r = renderHome();
    await settled(r);
    expect(r.find(EmptyState).props.title).toBe('No reps report to you');
    expect(r.maybeFindByTestId(Table, 'team-table')).toBeNull();
  });

  it('keeps the manager\'s own figures when the team view fails', async () => {
    stubHubspotFetch({ ...managerRoutes, [MANAGER]: 'network-down' });
    const r = renderHome();
    await settled(r);
    expect(statistic(r, 'Earned to date')).toBe('USD 21,600.00');
    const error = r.find(ErrorState);
    expect(error.props.title).toBe("Couldn't load your team");
    expect(visibleText(error)).toContain('Could not reach the SPM backend');
  });
});
