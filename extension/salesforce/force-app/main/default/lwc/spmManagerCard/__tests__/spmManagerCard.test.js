import { apexError, flushPromises, mountCard, $, $$, text, cells, expectFreshnessShownAsSent } from '../../../../../../jest-support/cardDom';
import SpmManagerCard from 'c/spmManagerCard';
import getManagerCard from '@salesforce/apex/SpmCardController.getManagerCard';
import createCoachingTask from '@salesforce/apex/SpmCardController.createCoachingTask';

jest.mock('@salesforce/apex/SpmCardController.getManagerCard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SpmCardController.createCoachingTask', () => ({ default: jest.fn() }), { virtual: true });

// Maria Lopez manages Lee (112.5 %), Dana (90 %) and Sam (38 %). Sam's stalled Initech deal:
// USD 40,000.00 × 8 % = USD 3,200.00 at stake, × 0.5 likelihood = USD 1,600.00 expected.
const MANAGER = require('./data/managerCard.json');
const TASK_CREATED = require('./data/taskCreated.json');
const PROMPT_ID = 'cp_00a1b2c3d4e5f607';

function mount() {
    return mountCard('c-spm-manager-card', SpmManagerCard);
}


describe('c-spm-manager-card', () => {
    afterEach(() => {
        while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
        jest.clearAllMocks();
    });

    it('ranks the team by attainment and lists the coaching prompt with what is at stake', async () => {
        getManagerCard.mockResolvedValue(JSON.stringify(MANAGER));
        const element = mount();
        expect(element.shadowRoot.querySelector('lightning-spinner').alternativeText).toBe('Loading your team');
        await flushPromises();

        expect(element.shadowRoot.querySelector('lightning-card').title).toBe('My team: 2026-Q4');
        expect($$(element, 'team-row').map(cells)).toEqual([
            ['1', 'Lee Chen', '112.5 %', '3.1×', '44 %', '86 activities', 'USD 31,500.00'],
            ['2', 'Dana Reyes', '90 %', '1.8×', '41.7 %', '64 activities', 'USD 21,600.00'],
            ['3', 'Sam Okafor', '38 %', '1.2×', '22.2 %', '31 activities', 'USD 9,120.00']
        ]);
        const prompt = $(element, 'prompt');
        expect(text(prompt.querySelector('h4'))).toBe('Sam Okafor: Initech expansion has gone quiet');
        expect(text(prompt.querySelector('[data-id="impact"]'))).toBe('USD 3,200.00');
        expect(text(prompt.querySelector('[data-id="score"]'))).toBe('USD 1,600.00');
        expect(prompt.querySelector('[data-id="create-task"]').label).toBe('Create a task for Sam Okafor');
    });

    it("shows the backend's freshness note as it is while figures may change, warning once", () =>
        expectFreshnessShownAsSent(getManagerCard, MANAGER, 'recomputePending', () => mount()));

    it('creates a task with an idempotency key and confirms it', async () => {
        getManagerCard.mockResolvedValue(JSON.stringify(MANAGER));
        createCoachingTask.mockResolvedValue(JSON.stringify(TASK_CREATED));
        const element = mount();
        await flushPromises();

        $(element, 'create-task').click();
        await flushPromises();

        expect(createCoachingTask).toHaveBeenCalledTimes(1);
        const [{ promptId, idempotencyKey }] = createCoachingTask.mock.calls[0];
        expect(promptId).toBe(PROMPT_ID);
        expect(typeof idempotencyKey).toBe('string');
        expect(idempotencyKey.length).toBeGreaterThanOrEqual(8);

        const success = $(element, 'task-success');
        expect(success.getAttribute('role')).toBe('status');
        expect(text(success.querySelector('h5'))).toBe('Task created');
        expect(text(success.querySelector('p'))).toBe('Sam Okafor has a new task in the CRM: "Initech expansion has gone quiet".');
        const button = $(element, 'create-task');
        expect(button.label).toBe('Task created');
        expect(button.disabled).toBe(true);
    });

    it('shows an error alert when the task fails, and the retry sends the same key', async () => {
        getManagerCard.mockResolvedValue(JSON.stringify(MANAGER));
        createCoachingTask
            .mockRejectedValueOnce(apexError(500, 'internal', 'The CRM did not accept the task.', { requestId: 'req_91c2' }))
            .mockResolvedValueOnce(JSON.stringify({ ...TASK_CREATED, task: { ...TASK_CREATED.task, created: false } }));
        const element = mount();
        await flushPromises();

        $(element, 'create-task').click();
        await flushPromises();
        const failure = $(element, 'task-error');
        expect(failure.getAttribute('role')).toBe('alert');
        expect(text(failure)).toContain('The task was not created');
        expect(text(failure)).toContain('The CRM did not accept the task. Reference: req_91c2');
        expect($(element, 'create-task').disabled).toBe(false);

        $(element, 'create-task').click();
        await flushPromises();
        const keys = createCoachingTask.mock.calls.map(([args]) => args.idempotencyKey);
        expect(keys).toHaveLength(2);
        // The first request may have reached the CRM: the same key lets the backend return that task.
        expect(keys[1]).toBe(keys[0]);
        expect($(element, 'task-error')).toBeNull();
        expect(text($(element, 'task-success').querySelector('h5'))).toBe('Task already exists');
        expect(text($(element, 'task-success').querySelector('p'))).toBe('Sam Okafor already had this task, so nothing new was created.');
    });

    it('says when nobody reports to the manager', async () => {
        getManagerCard.mockResolvedValue(JSON.stringify({ ...MANAGER, team: [], prompts: [] }));
        const element = mount();
        await flushPromises();
        expect(text($(element, 'no-team'))).toContain('No reps report to you');
        expect($(element, 'team')).toBeNull();
    });

    it('says when there is nothing to coach', async () => {
        getManagerCard.mockResolvedValue(JSON.stringify({ ...MANAGER, prompts: [] }));
        const element = mount();
        await flushPromises();
        expect(text($(element, 'no-prompts'))).toBe('No coaching prompts right now: nothing on the team needs a nudge.');
        expect($(element, 'create-task')).toBeNull();
    });

    it('shows the lock when the viewer manages nobody', async () => {
        getManagerCard.mockRejectedValue(apexError(403, 'forbidden', 'Only managers see the team view.'));
        const element = mount();
        await flushPromises();
        const problem = element.shadowRoot.querySelector('c-spm-problem');
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-title"]'))).toBe("You can't see your team");
        expect(text(problem.shadowRoot.querySelector('[data-id="problem-message"]'))).toBe('Only managers see the team view.');
    });
});
