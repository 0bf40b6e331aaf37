import { Button, EmptyState, ErrorState, Flex, LoadingSpinner, ProgressBar, StatisticsItem, TableCell, TableRow, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DealCard } from '../../../extension/hubspot/src/app/cards/components/DealCard.js';
import { apiError, heldReply, ok, stubHubspotFetch } from './fetch-stub.js';
import { dealEstimate, dealExplanation, dealNotCredited, ORIGIN } from './fixtures.js';
import { visibleText } from './visible-text.js';

const DEAL_ROUTE = 'GET /api/cards/v1/deals/9001';
const context = { crm: { objectId: 9001, objectTypeId: '0-3' }, variables: { API_ORIGIN: ORIGIN } };

function renderCard(ctx: Parameters<typeof DealCard>[0]['context'] = context) {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<DealCard context={ctx} />);
  return renderer;
}

const statistic = (r: ReturnType<typeof renderCard>, label: string) => r.find(StatisticsItem, { label }).props.number;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('deal card', () => {
  it('shows a spinner while the figures load, and asks the backend for the deal it is mounted on', async () => {
    const held = heldReply();
    const { calls } = stubHubspotFetch({ [DEAL_ROUTE]: held.promise });
    const r = renderCard();

    expect(r.find(LoadingSpinner).props.label).toBe('Working out what this deal pays you');
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls).toEqual([{ url: `${ORIGIN}/api/cards/v1/deals/9001`, method: 'GET', body: undefined }]);

    held.release(ok(dealEstimate));
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
    expect(statistic(r, 'Pays you if it closes')).toBe('USD 4,560.00');
  });

  it('shows what an open deal pays, attainment now and after, the tier it lands in and the way to the next', async () => {
    stubHubspotFetch({ [DEAL_ROUTE]: ok(dealEstimate) });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());

    // 30,000 × 8 % + 18,000 × 12 % = 4,560.00 (fixtures.ts), all of it take-home pay.
    expect(statistic(r, 'Pays you if it closes')).toBe('USD 4,560.00');
    expect(statistic(r, 'Change in take-home pay')).toBe('USD 4,560.00');
    expect(statistic(r, 'Lands in tier')).toBe('Tier 2');

    const now = r.find(ProgressBar, { title: 'Attainment now: Revenue' });
    expect(now.props.value).toBe(90);
    expect(now.props.valueDescription).toBe('90 % · USD 270,000.00 of USD 300,000.00');
    expect(now.props['aria-label']).toBe('Attainment now: Revenue attainment 90 %');
    // 106 % over-fills the bar: it shows full, and the label keeps the exact figure.
    const after = r.find(ProgressBar, { title: 'If it closes: Revenue' });
    expect(after.props.value).toBe(100);
    expect(after.props.valueDescription).toBe('106 % · USD 318,000.00 of USD 300,000.00');
    expect(after.props.variant).toBe('success');

    expect(visibleText(r.findByTestId(Text, 'next-tier'))).toBe('To tier 3 (at 120 % attainment): USD 42,000.00 more after this deal.');

    const lines = r.findAll(TableRow).slice(1).map((row) => row.findAll(TableCell).map(visibleText));
    expect(lines).toEqual([
      ['commission', 'USD 2,400.00', 'USD 30,000.00 credited from 90 % to 100 % attainment in tier 1 at 8 % = USD 2,400.00'],
      ['commission', 'USD 2,160.00', 'USD 18,000.00 credited from 100 % to 106 % attainment in tier 2 at 12 % = USD 2,160.00'],
    ]);
    expect(visibleText(r.findByTestId(Text, 'deal-freshness'))).toBe('As of 28 Nov 2026 10:05 UTC');
  });

  it("shows the backend's freshness note as it is while a sync may move the figures, warning once", async () => {
    const display = 'As of 28 Nov 2026 10:05 UTC · sync in progress: these figures may change in a few minutes';
    stubHubspotFetch({ [DEAL_ROUTE]: ok({ ...dealEstimate, freshness: { ...dealEstimate.freshness, syncPending: true, display } }) });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());

    expect(visibleText(r.findByTestId(Text, 'deal-freshness'))).toBe(display);
  });

  it('opens the explanation behind the amount when asked, and only then fetches it', async () => {
    const { calls } = stubHubspotFetch({
      [DEAL_ROUTE]: ok(dealEstimate),
      'GET /api/cards/v1/explain?figure=deal-estimate&dealId=9001&subjectId=u-dana': ok(dealExplanation),
    });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
    expect(calls).toHaveLength(1);

    const why = r.findByTestId(Button, 'explain-deal-estimate');
    expect(visibleText(why)).toBe('Why this amount?');
    why.trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'explanation')).not.toBeNull());

    expect(calls.map((c) => c.url)).toEqual([`${ORIGIN}/api/cards/v1/deals/9001`, `${ORIGIN}/api/cards/v1/explain?figure=deal-estimate&dealId=9001&subjectId=u-dana`]);
    const explanation = r.findByTestId(Flex, 'explanation');
    expect(visibleText(explanation.find(Text))).toBe('What Acme renewal pays Dana Reyes if it closes: USD 4,560.00');
    expect(explanation.findAll(TableRow)).toHaveLength(3); // header + the two tier slices
    expect(visibleText(explanation)).toContain('Estimated as if the deal closes on 2026-12-15 at its current amount.');
    expect(visibleText(r.findByTestId(Button, 'explain-deal-estimate'))).toBe('Hide: Why this amount?');
  });

  it('says plainly when the deal gives the viewer no credit, instead of showing zeros', async () => {
    stubHubspotFetch({ [DEAL_ROUTE]: ok(dealNotCredited) });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());

    const empty = r.find(EmptyState);
    expect(empty.props.title).toBe('This deal gives you no credit');
    expect(visibleText(empty)).toContain('Dana Reyes is not the owner, on a split, or the manager of this deal');
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('treats "no data yet" as an empty state with the backend\'s fix, not an error', async () => {
    stubHubspotFetch({
      [DEAL_ROUTE]: apiError(503, 'not_ready', 'This account has no statements yet.', { fix: 'Wait for the first sync to finish (usually under 10 minutes).' }),
    });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());

    expect(r.maybeFind(ErrorState)).toBeNull();
    const empty = r.find(EmptyState);
    expect(empty.props.title).toBe('No figures yet');
    expect(visibleText(empty)).toContain('This account has no statements yet.');
    expect(visibleText(empty)).toContain('Wait for the first sync to finish');
  });

  it('shows the backend error with its request id, and "Try again" loads the card again', async () => {
    let attempts = 0;
    const { calls } = stubHubspotFetch({
      [DEAL_ROUTE]: () => {
        attempts += 1;
        return attempts === 1 ? apiError(500, 'internal', 'Something broke on our side.', { requestId: 'req_7f3a' }) : ok(dealEstimate);
      },
    });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());

    const error = r.find(ErrorState);
    expect(error.props.title).toBe("Couldn't load what this deal pays you");
    expect(visibleText(error)).toContain('Something broke on our side.');
    expect(visibleText(error)).toContain('Reference: req_7f3a');

    r.find(Button, { variant: 'secondary' }).trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(calls).toHaveLength(2);
    expect(r.maybeFind(ErrorState)).toBeNull();
    expect(statistic(r, 'Pays you if it closes')).toBe('USD 4,560.00');
  });

  it('explains a network failure', async () => {
    stubHubspotFetch({ [DEAL_ROUTE]: 'network-down' });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
    expect(visibleText(r.find(ErrorState))).toContain('Could not reach the SPM backend (Failed to fetch)');
  });

  it('refuses a body of another API version rather than drawing half a card', async () => {
    stubHubspotFetch({ [DEAL_ROUTE]: ok({ ...dealEstimate, version: 2 }) });
    const r = renderCard();
    await r.waitFor(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
    expect(visibleText(r.find(ErrorState))).toContain('The app and the backend are out of step');
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('names the missing API_ORIGIN setting and calls nothing', () => {
    const { calls } = stubHubspotFetch({});
    const r = renderCard({ crm: context.crm, variables: {} });
    const error = r.find(ErrorState);
    expect(error.props.title).toBe('The app is not set up yet');
    expect(visibleText(error)).toContain('The app has no API_ORIGIN');
    expect(calls).toHaveLength(0);
  });
});
