import { apexError, flushPromises, mountCard, $, $$, text, expectFreshnessShownAsSent } from '../../../../../../jest-support/cardDom';
import SpmDealCard from 'c/spmDealCard';
import getDealCard from '@salesforce/apex/SpmCardController.getDealCard';
import getLinked from '@salesforce/apex/SpmCardController.getLinked';

jest.mock('@salesforce/apex/SpmCardController.getDealCard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SpmCardController.getLinked', () => ({ default: jest.fn() }), { virtual: true });

// Dana Reyes: 90 % of a USD 300,000.00 quota; the USD 48,000.00 deal takes her to 106 %.
// 30,000 × 8 % + 18,000 × 12 % = USD 4,560.00, landing in tier 2 (fixtures.ts in the vitest suite).
const DEAL = require('./data/dealEstimate.json');
const NOT_CREDITED = require('./data/dealNotCredited.json');
const EXPLANATION = require('./data/dealExplanation.json');

function mount(recordId = '006000000000001AAA') {
    return mountCard('c-spm-deal-card', SpmDealCard, { recordId });
}


describe('c-spm-deal-card', () => {
    afterEach(() => {
        while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
        jest.clearAllMocks();
    });

    it('shows a spinner until the controller answers, asking about this opportunity', async () => {
        let answer;
        getDealCard.mockReturnValue(new Promise((resolve) => (answer = resolve)));
        const element = mount('006000000000042AAA');

        expect(element.shadowRoot.querySelector('lightning-spinner').alternativeText).toBe('Working out what this deal pays you');
        expect(getDealCard).toHaveBeenCalledWith({ opportunityId: '006000000000042AAA' });

        answer(JSON.stringify(DEAL));
        await flushPromises();
        expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
        expect(text($(element, 'commission'))).toBe('USD 4,560.00');
    });

    it('shows what the deal pays, the tier, attainment now and after, and the way to the next tier', async () => {
        getDealCard.mockResolvedValue(JSON.stringify(DEAL));
        const element = mount();
        await flushPromises();

        expect(text($(element, 'heading'))).toBe('If this deal closes in 2026-Q4');
        expect(text($(element, 'commission'))).toBe('USD 4,560.00');
        expect(text($(element, 'net-pay'))).toBe('USD 4,560.00');
        expect(text($(element, 'tier'))).toBe('Tier 2');

        const now = $(element, 'attainment-now');
        expect(text(now.shadowRoot.querySelector('[data-id="attainment-description"]'))).toBe('90 % · USD 270,000.00 of USD 300,000.00');
        expect(now.shadowRoot.querySelector('lightning-progress-bar').value).toBe(90);
        const after = $(element, 'attainment-after');
        // 106 % fills the bar; the label keeps the exact figure.
        expect(after.shadowRoot.querySelector('lightning-progress-bar').value).toBe(100);
        expect(text(after.shadowRoot.querySelector('[data-id="attainment-description"]'))).toBe('106 % · USD 318,000.00 of USD 300,000.00');

        expect(text($(element, 'next-tier'))).toBe('To tier 3 (at 120 % attainment): USD 42,000.00 more after this deal.');
        expect($$(element, 'deal-line').map((row) => Array.from(row.querySelectorAll('td')).map(text))).toEqual([
            ['commission', 'USD 2,400.00', 'USD 30,000.00 credited from 90 % to 100 % attainment in tier 1 at 8 % = USD 2,400.00'],
            ['commission', 'USD 2,160.00', 'USD 18,000.00 credited from 100 % to 106 % attainment in tier 2 at 12 % = USD 2,160.00']
        ]);
        expect(text($(element, 'freshness'))).toBe('As of 28 Nov 2026 10:05 UTC');
    });

    it("shows the backend's freshness note as it is while figures may change, warning once", () =>
        expectFreshnessShownAsSent(getDealCard, DEAL, 'recomputePending', () => mount()));

    it('opens the explanation through the controller only when asked', async () => {
        getDealCard.mockResolvedValue(JSON.stringify(DEAL));
        getLinked.mockResolvedValue(JSON.stringify(EXPLANATION));
        const element = mount();
        await flushPromises();

        const explanation = element.shadowRoot.querySelector('c-spm-explanation');
        const toggle = explanation.shadowRoot.querySelector('[data-id="explain-toggle"]');
        expect(toggle.label).toBe('Why this amount?');
        expect(getLinked).not.toHaveBeenCalled();

        toggle.click();
        await flushPromises();
        expect(getLinked).toHaveBeenCalledWith({ href: '/api/cards/v1/explain?figure=deal-estimate&dealId=9001&subjectId=u-dana' });
        expect(text(explanation.shadowRoot.querySelector('[data-id="explanation-heading"]'))).toBe('What Acme renewal pays Dana Reyes if it closes: USD 4,560.00');
        expect(explanation.shadowRoot.querySelectorAll('[data-id="explanation-line"]')).toHaveLength(2);
    });

    it('says plainly when the deal gives the viewer no credit', async () => {
        getDealCard.mockResolvedValue(JSON.stringify(NOT_CREDITED));
        const element = mount();
        await flushPromises();

        expect(text($(element, 'no-pay'))).toContain('This deal gives you no credit');
        expect(text($(element, 'no-pay'))).toContain('Dana Reyes is not the owner, on a split, or the manager of this deal');
        expect($(element, 'commission')).toBeNull();
    });

    it('treats "no figures yet" as an empty state with the fix', async () => {
        getDealCard.mockRejectedValue(apexError(503, 'not_ready', 'This account has no statements yet.', { fix: 'Wait for the first sync to finish.' }));
        const element = mount();
        await flushPromises();

        const problem = element.shadowRoot.querySelector('c-spm-problem');
        const box = problem.shadowRoot.querySelector('[data-id="problem"]');
        expect(box.getAttribute('role')).toBe('status');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-title"]'))).toBe('No figures yet');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-fix"]'))).toBe('Wait for the first sync to finish.');
    });

    it('shows an error with its request id, and "Try again" reloads', async () => {
        getDealCard
            .mockRejectedValueOnce(apexError(500, 'internal', 'Something broke on our side.', { requestId: 'req_7f3a' }))
            .mockResolvedValueOnce(JSON.stringify(DEAL));
        const element = mount();
        await flushPromises();

        const problem = element.shadowRoot.querySelector('c-spm-problem');
        expect(problem.shadowRoot.querySelector('[data-id="problem"]').getAttribute('role')).toBe('alert');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-title"]'))).toBe("Couldn't load what this deal pays you");
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-reference"]'))).toBe('Reference: req_7f3a');

        problem.shadowRoot.querySelector('[data-id="retry"]').click();
        await flushPromises();
        expect(getDealCard).toHaveBeenCalledTimes(2);
        expect(element.shadowRoot.querySelector('c-spm-problem')).toBeNull();
        expect(text($(element, 'commission'))).toBe('USD 4,560.00');
    });

    it('refuses a view of another API version', async () => {
        getDealCard.mockResolvedValue(JSON.stringify({ ...DEAL, version: 2 }));
        const element = mount();
        await flushPromises();
        const problem = element.shadowRoot.querySelector('c-spm-problem');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-message"]'))).toContain('out of step');
        expect($(element, 'commission')).toBeNull();
    });
});
