import { LightningElement } from 'lwc';
import getManagerCard from '@salesforce/apex/SpmCardController.getManagerCard';
import createCoachingTask from '@salesforce/apex/SpmCardController.createCoachingTask';
import { loadView, newIdempotencyKey, parseView, problemText } from 'c/spmCardApi';

/** Home page: the manager's team ranked by attainment, and coaching prompts to turn into tasks. */
export default class SpmManagerCard extends LightningElement {
    loading = true;
    view = null;
    problem = null;
    /** Per prompt: { key, sending, done, created, error }. The key is reused on retry. */
    taskStates = {};

    connectedCallback() {
        this.load();
    }

    load() {
        return loadView(this, getManagerCard, 'manager', 'your team');
    }

    get title() {
        return this.view ? `My team: ${this.view.period.id}` : 'My team';
    }

    get noTeam() {
        return this.view.team.length === 0;
    }

    get noTeamText() {
        return `The team view lists reps whose manager is ${this.view.manager.name} in the synced CRM hierarchy. Ask your admin to set reps' managers if this is wrong.`;
    }

    get team() {
        return this.view.team.map((row) => ({
            key: row.rep.userId,
            rank: row.rank,
            name: row.rep.name,
            attainment: row.attainment ? row.attainment.display : 'No quota',
            coverage: row.coverage ? row.coverage.display : '—',
            winRate: row.winRate ? row.winRate.display : '—',
            activities: row.activities.display,
            earnings: row.earnings.display
        }));
    }

    get prompts() {
        return this.view.prompts
            .filter((prompt) => prompt.status === 'open' || prompt.status === 'actioned')
            .map((prompt) => {
                const state = this.taskStates[prompt.id] || {};
                const done = Boolean(state.done) || prompt.status === 'actioned';
                let buttonLabel = `Create a task for ${prompt.rep.name}`;
                if (done) buttonLabel = 'Task created';
                else if (state.sending) buttonLabel = 'Creating task…';
                return {
                    id: prompt.id,
                    heading: `${prompt.rep.name}: ${prompt.title}`,
                    message: prompt.message,
                    impact: prompt.impact.display,
                    score: prompt.score.display,
                    evidence: prompt.evidence.map((item) => ({ labelKey: `l:${item.label}`, valueKey: `v:${item.label}`, label: item.label, value: item.value })),
                    buttonLabel,
                    disabled: done || Boolean(state.sending),
                    success: state.done ? (state.created ? `${prompt.rep.name} has a new task in the CRM: "${prompt.title}".` : `${prompt.rep.name} already had this task, so nothing new was created.`) : null,
                    successTitle: state.created ? 'Task created' : 'Task already exists',
                    error: state.error || null
                };
            });
    }

    get hasPrompts() {
        return this.prompts.length > 0;
    }

    setTaskState(promptId, patch) {
        this.taskStates = { ...this.taskStates, [promptId]: { ...(this.taskStates[promptId] || {}), ...patch } };
    }

    async handleCreateTask(event) {
        const promptId = event.target.dataset.promptId;
        const key = (this.taskStates[promptId] && this.taskStates[promptId].key) || newIdempotencyKey();
        this.setTaskState(promptId, { key, sending: true, error: null });
        try {
            const view = parseView(await createCoachingTask({ promptId, idempotencyKey: key }), 'coaching-task');
            this.setTaskState(promptId, { sending: false, done: true, created: view.task.created });
        } catch (error) {
            this.setTaskState(promptId, { sending: false, error: `${problemText(error)} Press the button again to retry; it will not create a duplicate.` });
        }
    }
}
