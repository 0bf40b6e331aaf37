/**
 * Card view models with realistic, hand-checked numbers. Every fixture goes through the
 * backend's own zod schema, so a fixture that drifts from the real contract fails here
 * instead of producing a test that passes against a shape the backend never sends.
 *
 * Dana Reyes, Q4 2026, revenue quota USD 300,000.00. Plan tiers on attainment:
 *   tier 1 below 100 % pays 8 %, tier 2 from 100 % pays 12 %, tier 3 from 120 % pays 15 %.
 * Before the deal she has USD 270,000.00 credited: 270,000 / 300,000 = 90 %.
 * The open deal "Acme renewal" is USD 48,000.00, 100 % hers:
 *   after it closes 318,000 / 300,000 = 106 %.
 *   commission = 30,000 × 8 % (up to quota) + 18,000 × 12 % (above it)
 *              = 2,400.00 + 2,160.00 = USD 4,560.00, landing in tier 2.
 *   tier 3 starts at 120 % = USD 360,000.00; 360,000 − 318,000 = USD 42,000.00 still needed.
 */
import {
  ChartViewSchema,
  CoachingTaskViewSchema,
  DealCardViewSchema,
  ExplanationViewSchema,
  ManagerCardViewSchema,
  RepCardViewSchema,
  type ChartView,
  type DealCardView,
  type ManagerCardView,
  type RepCardView,
} from '../../../extension/backend/src/cards/view-models.js';

export const ORIGIN = 'https://api.spm.test';

const freshness = {
  asOf: '2026-11-28',
  lastStatementRunAt: '2026-11-28T06:00:00Z',
  lastSyncAt: '2026-11-28T10:05:00Z',
  syncPending: false,
  recomputePending: false,
  display: 'As of 28 Nov 2026 10:05 UTC',
};

const dana = { userId: 'u-dana', name: 'Dana Reyes' };
const sam = { userId: 'u-sam', name: 'Sam Okafor' };
const lee = { userId: 'u-lee', name: 'Lee Chen' };
const maria = { userId: 'u-maria', name: 'Maria Lopez' };

const money = (amount: string, display: string) => ({ amount, currency: 'USD', display });
const usdQuantity = (amount: string, display: string) => ({ kind: 'money' as const, ...money(amount, display) });
const percent = (value: string) => ({ value, display: `${value} %` });

const revenueAttainment = (credited: string, creditedDisplay: string, pct: string) => ({
  planId: 'plan-ae-2026',
  componentId: 'revenue',
  measure: 'revenue',
  quota: usdQuantity('300000.00', 'USD 300,000.00'),
  credited: usdQuantity(credited, creditedDisplay),
  attainment: percent(pct),
  explain: { figure: 'attainment' as const, href: '/api/cards/v1/explain?figure=attainment&subjectId=u-dana', label: 'What counts towards my quota?' },
});

export const dealEstimate: DealCardView = DealCardViewSchema.parse({
  kind: 'deal',
  version: 1,
  viewer: { ...dana, roles: ['rep'] },
  payee: dana,
  deal: { id: '9001', name: 'Acme renewal', status: 'open', stageName: 'Proposal', closeDate: '2026-12-15', amount: money('48000.00', 'USD 48,000.00') },
  outcome: 'estimate',
  period: '2026-Q4',
  commission: money('4560.00', 'USD 4,560.00'),
  netPay: money('4560.00', 'USD 4,560.00'),
  lines: [
    {
      key: 'est:9001:revenue:t1',
      kind: 'commission',
      period: '2026-Q4',
      date: '2026-12-15',
      amount: money('2400.00', 'USD 2,400.00'),
      credited: usdQuantity('30000.00', 'USD 30,000.00'),
      explanation: 'USD 30,000.00 credited from 90 % to 100 % attainment in tier 1 at 8 % = USD 2,400.00',
      cause: null,
      dealId: '9001',
      dealName: 'Acme renewal',
    },
    {
      key: 'est:9001:revenue:t2',
      kind: 'commission',
      period: '2026-Q4',
      date: '2026-12-15',
      amount: money('2160.00', 'USD 2,160.00'),
      credited: usdQuantity('18000.00', 'USD 18,000.00'),
      explanation: 'USD 18,000.00 credited from 100 % to 106 % attainment in tier 2 at 12 % = USD 2,160.00',
      cause: null,
      dealId: '9001',
      dealName: 'Acme renewal',
    },
  ],
  attainment: {
    now: [revenueAttainment('270000.00', 'USD 270,000.00', '90')],
    afterClose: [revenueAttainment('318000.00', 'USD 318,000.00', '106')],
  },
  landsInTier: 2,
  nextTier: { planId: 'plan-ae-2026', componentId: 'revenue', tier: 3, atAttainment: percent('120'), creditNeeded: usdQuantity('42000.00', 'USD 42,000.00') },
  explain: { figure: 'deal-estimate', href: '/api/cards/v1/explain?figure=deal-estimate&dealId=9001&subjectId=u-dana', label: 'Why this amount?' },
  freshness,
});

export const dealNotCredited: DealCardView = DealCardViewSchema.parse({
  ...dealEstimate,
  outcome: 'not-credited',
  commission: null,
  netPay: null,
  lines: [],
  attainment: { now: dealEstimate.attainment.now, afterClose: null },
  landsInTier: null,
  nextTier: null,
  explain: null,
});

export const dealExplanation = ExplanationViewSchema.parse({
  kind: 'explanation',
  version: 1,
  figure: 'deal-estimate',
  title: 'What Acme renewal pays Dana Reyes if it closes',
  subjectId: 'u-dana',
  subjectName: 'Dana Reyes',
  period: '2026-Q4',
  source: 'estimate',
  total: { kind: 'money', ...money('4560.00', 'USD 4,560.00') },
  lines: dealEstimate.lines,
  notes: ['Estimated as if the deal closes on 2026-12-15 at its current amount.'],
  asOf: '2026-11-28',
});

/*
 * Dana's quarter so far: USD 21,600.00 earned (270,000 at 8 % = 21,600.00). Open deals closing
 * this quarter would add USD 9,120.00 (Acme 4,560.00 + Globex 4,560.00) → projected 30,720.00;
 * weighted by stage probability (Acme 60 %, Globex 40 %): 2,736.00 + 1,824.00 = 4,560.00 → likely 26,160.00.
 */
export function repCard(overrides: Partial<RepCardView> = {}): RepCardView {
  return RepCardViewSchema.parse({
    kind: 'rep',
    version: 1,
    viewer: { ...dana, roles: ['rep'] },
    rep: dana,
    period: { id: '2026-Q4', start: '2026-10-01', end: '2027-01-01' },
    currency: 'USD',
    attainment: [revenueAttainment('270000.00', 'USD 270,000.00', '90')],
    earnings: {
      toDate: money('21600.00', 'USD 21,600.00'),
      projected: money('30720.00', 'USD 30,720.00'),
      likely: money('26160.00', 'USD 26,160.00'),
      explainToDate: { figure: 'earnings-to-date', href: '/api/cards/v1/explain?figure=earnings-to-date&subjectId=u-dana', label: 'How did I earn this?' },
      explainProjected: { figure: 'earnings-projected', href: '/api/cards/v1/explain?figure=earnings-projected&subjectId=u-dana', label: 'What would my open deals add?' },
    },
    // To tier 2 (100 %): 300,000 − 270,000 = USD 30,000.00.
    nextTier: { planId: 'plan-ae-2026', componentId: 'revenue', tier: 2, atAttainment: percent('100'), creditNeeded: usdQuantity('30000.00', 'USD 30,000.00') },
    kpis: [
      {
        id: 'win-rate',
        label: 'Win rate',
        value: { kind: 'percent', ...percent('41.7') },
        teamMedian: { kind: 'percent', ...percent('35') },
        versusMedian: 'better',
        explain: { figure: 'kpi', href: '/api/cards/v1/explain?figure=kpi&kpi=win-rate&subjectId=u-dana', label: 'Which deals?' },
      },
      {
        id: 'pipeline-coverage',
        label: 'Pipeline coverage',
        value: { kind: 'ratio', value: '1.8', display: '1.8×' },
        teamMedian: { kind: 'ratio', value: '2.6', display: '2.6×' },
        versusMedian: 'worse',
        explain: { figure: 'kpi', href: '/api/cards/v1/explain?figure=kpi&kpi=pipeline-coverage&subjectId=u-dana', label: 'Which deals?' },
      },
    ],
    trend: [
      { period: '2026-Q3', attainment: percent('104.2'), earnings: money('26040.00', 'USD 26,040.00') },
      { period: '2026-Q4', attainment: percent('90'), earnings: money('21600.00', 'USD 21,600.00') },
    ],
    charts: {
      attainmentTrend: '/api/cards/v1/charts/attainment-trend?subjectId=u-dana',
      pipelineByStage: '/api/cards/v1/charts/pipeline-by-stage?subjectId=u-dana',
    },
    freshness,
    ...overrides,
  });
}

export const attainmentTrendChart: ChartView = ChartViewSchema.parse({
  kind: 'chart',
  version: 1,
  id: 'attainment-trend',
  type: 'line',
  title: 'Attainment by quarter',
  xLabel: 'Quarter',
  yLabel: 'Attainment (%)',
  yUnit: 'percent',
  currency: null,
  data: [
    { x: '2026-Q3', y: 104.2, yExact: '104.2' },
    { x: '2026-Q4', y: 90, yExact: '90' },
  ],
});

export const pipelineChart: ChartView = ChartViewSchema.parse({
  kind: 'chart',
  version: 1,
  id: 'pipeline-by-stage',
  type: 'bar',
  title: 'Open pipeline by stage',
  xLabel: 'Stage',
  yLabel: 'Amount',
  yUnit: 'money',
  currency: 'USD',
  data: [
    { x: 'Proposal', y: 48000, yExact: '48000.00' },
    { x: 'Negotiation', y: 38000, yExact: '38000.00' },
  ],
});

export const teamDistributionChart: ChartView = ChartViewSchema.parse({
  kind: 'chart',
  version: 1,
  id: 'team-distribution',
  type: 'bar',
  title: 'Reps by attainment band',
  xLabel: 'Attainment band',
  yLabel: 'Reps',
  yUnit: 'count',
  currency: null,
  data: [
    { x: '0–50 %', y: 1, yExact: '1' },
    { x: '50–100 %', y: 1, yExact: '1' },
    { x: '100 %+', y: 1, yExact: '1' },
  ],
});

/*
 * Maria manages Dana, Sam and Lee. The stalled-deal prompt for Sam: Initech expansion,
 * USD 40,000.00 at 8 % = USD 3,200.00 at stake; stage probability 0.5 → score USD 1,600.00.
 */
export function managerCard(overrides: Partial<ManagerCardView> = {}): ManagerCardView {
  return ManagerCardViewSchema.parse({
    kind: 'manager',
    version: 1,
    viewer: { ...maria, roles: ['rep', 'manager'] },
    manager: maria,
    period: { id: '2026-Q4', start: '2026-10-01', end: '2027-01-01' },
    currency: 'USD',
    rankedBy: 'attainment',
    team: [
      {
        rank: 1,
        rep: lee,
        attainment: percent('112.5'),
        coverage: { value: '3.1', display: '3.1×' },
        winRate: percent('44'),
        activities: { value: '86', unit: 'activity', display: '86 activities' },
        earnings: money('31500.00', 'USD 31,500.00'),
        explain: {
          attainment: { figure: 'attainment', href: '/api/cards/v1/explain?figure=attainment&subjectId=u-lee', label: 'Attainment behind this' },
          earnings: { figure: 'earnings-to-date', href: '/api/cards/v1/explain?figure=earnings-to-date&subjectId=u-lee', label: 'Earnings behind this' },
        },
      },
      {
        rank: 2,
        rep: dana,
        attainment: percent('90'),
        coverage: { value: '1.8', display: '1.8×' },
        winRate: percent('41.7'),
        activities: { value: '64', unit: 'activity', display: '64 activities' },
        earnings: money('21600.00', 'USD 21,600.00'),
        explain: {
          attainment: { figure: 'attainment', href: '/api/cards/v1/explain?figure=attainment&subjectId=u-dana', label: 'Attainment behind this' },
          earnings: { figure: 'earnings-to-date', href: '/api/cards/v1/explain?figure=earnings-to-date&subjectId=u-dana', label: 'Earnings behind this' },
        },
      },
      {
        rank: 3,
        rep: sam,
        attainment: percent('38'),
        coverage: { value: '1.2', display: '1.2×' },
        winRate: percent('22.2'),
        activities: { value: '31', unit: 'activity', display: '31 activities' },
        earnings: money('9120.00', 'USD 9,120.00'),
        explain: {
          attainment: { figure: 'attainment', href: '/api/cards/v1/explain?figure=attainment&subjectId=u-sam', label: 'Attainment behind this' },
          earnings: { figure: 'earnings-to-date', href: '/api/cards/v1/explain?figure=earnings-to-date&subjectId=u-sam', label: 'Earnings behind this' },
        },
      },
    ],
    prompts: [
      {
        id: 'cp_00a1b2c3d4e5f607',
        rule: 'stalled-deal',
        rep: sam,
        dealId: '7003',
        title: 'Initech expansion has gone quiet',
        message: 'No activity for 21 days on a USD 40,000.00 deal in Negotiation. A call this week keeps USD 3,200.00 of commission in play.',
        impact: money('3200.00', 'USD 3,200.00'),
        likelihood: '0.5',
        score: money('1600.00', 'USD 1,600.00'),
        status: 'open',
        evidence: [
          { label: 'Days since last activity', value: '21' },
          { label: 'Stage', value: 'Negotiation (50 %)' },
        ],
        createTask: { method: 'POST', href: '/api/cards/v1/manager/prompts/cp_00a1b2c3d4e5f607/tasks' },
      },
    ],
    charts: {
      teamDistribution: '/api/cards/v1/charts/team-distribution?subjectId=u-maria',
      pipelineByStage: '/api/cards/v1/charts/pipeline-by-stage?subjectId=u-maria',
    },
    freshness,
    ...overrides,
  });
}

export const taskCreated = CoachingTaskViewSchema.parse({
  kind: 'coaching-task',
  version: 1,
  task: { id: 'task-51', promptId: 'cp_00a1b2c3d4e5f607', status: 'pending', created: true },
});
