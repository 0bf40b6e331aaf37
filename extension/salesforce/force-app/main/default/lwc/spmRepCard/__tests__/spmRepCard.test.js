import { apexError, flushPromises, mountCard, $, $$, text, cells, expectFreshnessShownAsSent } from '../../../../../../jest-support/cardDom';
import SpmRepCard from 'c/spmRepCard';
import getRepCard from '@salesforce/apex/SpmCardController.getRepCard';

jest.mock('@salesforce/apex/SpmCardController.getRepCard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SpmCardController.getLinked', () => ({ default: jest.fn() }), { virtual: true });

// Dana Reyes, 2026-Q4: 270,000 credited at 8 % = USD 21,600.00 earned; the two open deals
// would add 4,560.00 each (projected 30,720.00), or 60 % and 40 % of that weighted (likely 26,160.00).
const REP = require('./data/repCard.json');

function mount() {
    return mountCard('c-spm-rep-card', SpmRepCard);
}


describe('c-spm-rep-card', () => {
    afterEach(() => {
        while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
        jest.clearAllMocks();
    });

    it('shows a spinner, then earnings, attainment, next tier, KPIs and the period trend', async () => {
        let answer;
        getRepCard.mockReturnValue(new Promise((resolve) => (answer = resolve)));
        const element = mount();
        expect(element.shadowRoot.querySelector('lightning-spinner').alternativeText).toBe('Loading your commissions');

        answer(JSON.stringify(REP));
        await flushPromises();

        expect(element.shadowRoot.querySelector('lightning-card').title).toBe('My commissions: 2026-Q4');
        expect(text($(element, 'earned'))).toBe('USD 21,600.00');
        expect(text($(element, 'likely'))).toBe('USD 26,160.00');
        expect(text($(element, 'projected'))).toBe('USD 30,720.00');

        const attainment = element.shadowRoot.querySelector('c-spm-attainment');
        expect(attainment.shadowRoot.querySelector('lightning-progress-bar').value).toBe(90);
        expect(text($(element, 'next-tier'))).toBe('Tier 2 starts at 100 %: USD 30,000.00 more to get there.');

        expect($$(element, 'kpi').map(cells)).toEqual([
            ['Win rate', '41.7 %', '35 %', 'Better than team'],
            ['Pipeline coverage', '1.8×', '2.6×', 'Behind team']
        ]);
        expect($$(element, 'trend-point').map(cells)).toEqual([
            ['2026-Q3', '104.2 %', 'USD 26,040.00'],
            ['2026-Q4', '90 %', 'USD 21,600.00']
        ]);
        const toggles = Array.from(element.shadowRoot.querySelectorAll('c-spm-explanation')).map(
            (explanation) => explanation.shadowRoot.querySelector('[data-id="explain-toggle"]').label
        );
        expect(toggles).toEqual(['How did I earn this?', 'What would my open deals add?']);
    });

    it("shows the backend's freshness note as it is while figures may change, warning once", () =>
        expectFreshnessShownAsSent(getRepCard, REP, 'syncPending', () => mount()));

    it('says when the rep has no plan this period', async () => {
        getRepCard.mockResolvedValue(JSON.stringify({ ...REP, attainment: [], kpis: [], nextTier: null }));
        const element = mount();
        await flushPromises();

        expect(text($(element, 'no-plan'))).toContain('No plan for Dana Reyes in 2026-Q4');
        expect($(element, 'earned')).toBeNull();
    });

    it('shows a lock with the fix when the backend does not know the user', async () => {
        getRepCard.mockRejectedValue(apexError(403, 'forbidden', 'You are not a payee or manager in this account.', { fix: 'Ask your admin to add you to a plan.' }));
        const element = mount();
        await flushPromises();

        const problem = element.shadowRoot.querySelector('c-spm-problem');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-title"]'))).toBe("You can't see your commissions");
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-fix"]'))).toBe('Ask your admin to add you to a plan.');
        expect(problem.shadowRoot.querySelector('[data-id="problem"]').getAttribute('role')).toBe('alert');
    });

    it('shows a platform error that is not the backend\'s as it is', async () => {
        getRepCard.mockRejectedValue({ body: { message: 'You do not have access to the Apex class named SpmCardController.' } });
        const element = mount();
        await flushPromises();

        const problem = element.shadowRoot.querySelector('c-spm-problem');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-message"]'))).toBe('You do not have access to the Apex class named SpmCardController.');
    });
});
