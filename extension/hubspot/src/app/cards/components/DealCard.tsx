import { Divider, EmptyState, Heading, Statistics, StatisticsItem, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Tag, Text } from '@hubspot/ui-extensions';
import type { CrmContext } from '@hubspot/ui-extensions';
import type { DealCardView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { CARD_PATHS } from '../lib/card-routes.js';
import { AttainmentBars } from './AttainmentBars.js';
import { FreshnessFrame, LoadFrame, WithCardApi } from './CardFrame.js';
import { ExplainToggle } from './ExplainToggle.js';

const SUBJECT = 'what this deal pays you';

/** The deal-record card: what this deal pays the viewer, and where it leaves their attainment. */
export function DealCard({ context }: { context: Pick<CrmContext, 'crm' | 'variables'> }) {
  const dealId = String(context.crm.objectId);
  return (
    <WithCardApi variables={context.variables} subject={SUBJECT}>
      {(api) => (
        <LoadFrame load={() => api.get<DealCardView>(CARD_PATHS.deal(dealId), 'deal')} loadKey={dealId} loading="Working out what this deal pays you" subject={SUBJECT}>
          {(view) => <DealCardBody view={view} api={api} />}
        </LoadFrame>
      )}
    </WithCardApi>
  );
}

function DealCardBody({ view, api }: { view: DealCardView; api: CardApi }) {
  const who = view.payee.userId === view.viewer.userId ? 'you' : view.payee.name;
  const status = (
    <Text variant="microcopy">
      <Tag variant={view.deal.status === 'won' ? 'success' : view.deal.status === 'lost' ? 'error' : 'default'} inline>
        {view.deal.status}
      </Tag>{' '}
      {view.deal.stageName} · {view.deal.amount.display} · closes {view.deal.closeDate}
    </Text>
  );

  if (view.outcome === 'not-credited' || view.outcome === 'no-plan') {
    const title = view.outcome === 'not-credited' ? `This deal gives ${who} no credit` : `No plan pays ${who} for this deal`;
    const reason =
      view.outcome === 'not-credited'
        ? `${view.payee.name} is not the owner, on a split, or the manager of this deal, so it adds nothing to quota or pay.`
        : `The deal credits ${view.payee.name}, but no commission plan covers ${view.period ?? 'its close date'}. Ask your admin to check the plan's dates and members.`;
    return (
      <FreshnessFrame freshness={view.freshness} freshnessTestId="deal-freshness" gap="sm">
        {status}
        <EmptyState title={title} imageName="deals" layout="horizontal" imageWidth={120}>
          <Text>{reason}</Text>
        </EmptyState>
      </FreshnessFrame>
    );
  }

  const estimate = view.outcome === 'estimate';
  const nextTier = view.nextTier;
  return (
    <FreshnessFrame freshness={view.freshness} freshnessTestId="deal-freshness" gap="sm">
      {status}
      <Heading>{estimate ? `If this deal closes${view.period ? ` in ${view.period}` : ''}` : `What this deal paid${view.period ? ` in ${view.period}` : ''}`}</Heading>
      <Statistics>
        <StatisticsItem label={estimate ? `Pays ${who} if it closes` : `Paid ${who}`} number={view.commission?.display ?? '—'} />
        <StatisticsItem label="Change in take-home pay" number={view.netPay?.display ?? '—'} />
        <StatisticsItem label="Lands in tier" number={view.landsInTier === null ? 'Not tiered' : `Tier ${view.landsInTier}`} />
      </Statistics>
      <AttainmentBars rows={view.attainment.now} caption="Attainment now" testId="attainment-now" />
      {view.attainment.afterClose ? <AttainmentBars rows={view.attainment.afterClose} caption="If it closes" testId="attainment-after" /> : null}
      <Text testId="next-tier">
        {nextTier
          ? `To tier ${nextTier.tier} (at ${nextTier.atAttainment.display} attainment): ${nextTier.creditNeeded.display} more${estimate ? ' after this deal' : ''}.`
          : 'Already in the top tier, or the plan has no tiers.'}
      </Text>
      {view.lines.length > 0 ? (
        <Table bordered density="condensed" testId="deal-lines">
          <TableHead>
            <TableRow>
              <TableHeader>Line</TableHeader>
              <TableHeader align="right">Amount</TableHeader>
              <TableHeader>How it was worked out</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.lines.map((line) => (
              <TableRow key={line.key}>
                <TableCell>{line.kind}</TableCell>
                <TableCell align="right">{line.amount?.display ?? '—'}</TableCell>
                <TableCell>{line.explanation}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {view.explain ? <ExplainToggle link={view.explain} api={api} /> : null}
      <Divider />
    </FreshnessFrame>
  );
}
