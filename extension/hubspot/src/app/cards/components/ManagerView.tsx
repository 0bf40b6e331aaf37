import { EmptyState, Heading, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import type { ManagerCardView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { FreshnessFrame } from './CardFrame.js';
import { ChartPanel } from './ChartPanel.js';
import { CoachingPromptItem } from './CoachingPromptItem.js';

/** A manager's team ranked by attainment, team charts, and coaching prompts to act on. */
export function ManagerView({ view, api }: { view: ManagerCardView; api: CardApi }) {
  if (view.team.length === 0) {
    return (
      <FreshnessFrame freshness={view.freshness} freshnessTestId="team-freshness" gap="sm" testId="manager-view">
        <EmptyState title="No reps report to you" imageName="contacts" layout="horizontal" imageWidth={120}>
          <Text>The team view lists reps whose manager is {view.manager.name} in the synced CRM hierarchy. Ask your admin to set reps' managers if this is wrong.</Text>
        </EmptyState>
      </FreshnessFrame>
    );
  }
  const openPrompts = view.prompts.filter((prompt) => prompt.status === 'open' || prompt.status === 'actioned');
  return (
    <FreshnessFrame freshness={view.freshness} freshnessTestId="team-freshness" gap="md" testId="manager-view">
      <Heading>
        {view.manager.name}'s team: {view.period.id}
      </Heading>
      <Table bordered density="condensed" testId="team-table">
        <TableHead>
          <TableRow>
            <TableHeader width="min">Rank</TableHeader>
            <TableHeader>Rep</TableHeader>
            <TableHeader align="right">Attainment</TableHeader>
            <TableHeader align="right">Coverage</TableHeader>
            <TableHeader align="right">Win rate</TableHeader>
            <TableHeader align="right">Activities</TableHeader>
            <TableHeader align="right">Earnings</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {view.team.map((row) => (
            <TableRow key={row.rep.userId}>
              <TableCell>{row.rank}</TableCell>
              <TableCell>{row.rep.name}</TableCell>
              <TableCell align="right">{row.attainment?.display ?? 'No quota'}</TableCell>
              <TableCell align="right">{row.coverage?.display ?? '—'}</TableCell>
              <TableCell align="right">{row.winRate?.display ?? '—'}</TableCell>
              <TableCell align="right">{row.activities.display}</TableCell>
              <TableCell align="right">{row.earnings.display}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ChartPanel href={view.charts.teamDistribution} api={api} testId="chart-team-distribution" />
      <ChartPanel href={view.charts.pipelineByStage} api={api} testId="chart-team-pipeline" />
      <Heading>Coaching</Heading>
      {openPrompts.length === 0 ? (
        <Text testId="no-prompts">No coaching prompts right now: nothing on the team needs a nudge.</Text>
      ) : (
        openPrompts.map((prompt) => <CoachingPromptItem key={prompt.id} prompt={prompt} api={api} />)
      )}
    </FreshnessFrame>
  );
}
