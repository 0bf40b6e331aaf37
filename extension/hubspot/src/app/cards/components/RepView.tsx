import { EmptyState, Flex, Heading, Statistics, StatisticsItem, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Tag, Text } from '@hubspot/ui-extensions';
import type { KpiComparison, RepCardView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { AttainmentBars } from './AttainmentBars.js';
import { FreshnessFrame } from './CardFrame.js';
import { ChartPanel } from './ChartPanel.js';
import { ExplainToggle } from './ExplainToggle.js';

const VERSUS_TAG: Record<NonNullable<KpiComparison['versusMedian']>, { text: string; variant: 'success' | 'warning' | 'default' }> = {
  better: { text: 'Better than team', variant: 'success' },
  worse: { text: 'Behind team', variant: 'warning' },
  equal: { text: 'Level with team', variant: 'default' },
};

/** A rep's own period: earnings, attainment, the next tier, KPIs against the team median, trends. */
export function RepView({ view, api }: { view: RepCardView; api: CardApi }) {
  if (view.attainment.length === 0 && view.kpis.length === 0) {
    return (
      <FreshnessFrame freshness={view.freshness} freshnessTestId="rep-freshness" gap="sm" testId="rep-view">
        <EmptyState title={`No plan for ${view.rep.name} in ${view.period.id}`} imageName="target" layout="horizontal" imageWidth={120}>
          <Text>You are not on a commission plan this period, so there is no quota or pay to show. Ask your admin if that is wrong.</Text>
        </EmptyState>
      </FreshnessFrame>
    );
  }
  const { earnings, nextTier } = view;
  return (
    <FreshnessFrame freshness={view.freshness} freshnessTestId="rep-freshness" gap="md" testId="rep-view">
      <Heading>
        {view.rep.name}: {view.period.id}
      </Heading>
      <Statistics>
        <StatisticsItem label="Earned to date" number={earnings.toDate.display} />
        <StatisticsItem label="Likely by period end" number={earnings.likely.display} />
        <StatisticsItem label="If every open deal closes" number={earnings.projected.display} />
      </Statistics>
      <Flex direction="row" gap="sm" wrap>
        <ExplainToggle link={earnings.explainToDate} api={api} />
        <ExplainToggle link={earnings.explainProjected} api={api} />
      </Flex>
      <AttainmentBars rows={view.attainment} caption="Attainment" testId="rep-attainment" />
      <Text testId="next-tier">
        {nextTier
          ? `Tier ${nextTier.tier} starts at ${nextTier.atAttainment.display}: ${nextTier.creditNeeded.display} more to get there.`
          : 'You are in the top tier, or your plan has no tiers.'}
      </Text>
      {view.kpis.length > 0 ? (
        <Table bordered density="condensed" testId="rep-kpis">
          <TableHead>
            <TableRow>
              <TableHeader>KPI</TableHeader>
              <TableHeader align="right">You</TableHeader>
              <TableHeader align="right">Team median</TableHeader>
              <TableHeader>Compared with the team</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.kpis.map((kpi) => (
              <TableRow key={kpi.id}>
                <TableCell>{kpi.label}</TableCell>
                <TableCell align="right">{kpi.value?.display ?? '—'}</TableCell>
                <TableCell align="right">{kpi.teamMedian?.display ?? '—'}</TableCell>
                <TableCell>
                  {kpi.versusMedian ? <Tag variant={VERSUS_TAG[kpi.versusMedian].variant}>{VERSUS_TAG[kpi.versusMedian].text}</Tag> : 'No peers to compare'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <ChartPanel href={view.charts.attainmentTrend} api={api} testId="chart-attainment-trend" />
      <ChartPanel href={view.charts.pipelineByStage} api={api} testId="chart-pipeline-by-stage" />
    </FreshnessFrame>
  );
}
