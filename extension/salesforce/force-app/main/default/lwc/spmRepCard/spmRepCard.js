import { LightningElement } from 'lwc';
import getRepCard from '@salesforce/apex/SpmCardController.getRepCard';
import { attainmentRows, loadView } from 'c/spmCardApi';

const VERSUS = { better: 'Better than team', worse: 'Behind team', equal: 'Level with team' };

/** Home page: the running user's period — earnings, attainment, next tier, KPIs against the team. */
export default class SpmRepCard extends LightningElement {
    loading = true;
    view = null;
    problem = null;

    connectedCallback() {
        this.load();
    }

    load() {
        return loadView(this, getRepCard, 'rep', 'your commissions');
    }

    get title() {
        return this.view ? `My commissions: ${this.view.period.id}` : 'My commissions';
    }

    get noPlan() {
        return this.view.attainment.length === 0 && this.view.kpis.length === 0;
    }

    get noPlanTitle() {
        return `No plan for ${this.view.rep.name} in ${this.view.period.id}`;
    }

    get rows() {
        return attainmentRows(this.view.attainment, 'Attainment');
    }

    get nextTier() {
        const next = this.view.nextTier;
        if (!next) return 'You are in the top tier, or your plan has no tiers.';
        return `Tier ${next.tier} starts at ${next.atAttainment.display}: ${next.creditNeeded.display} more to get there.`;
    }

    get kpis() {
        return this.view.kpis.map((kpi) => ({
            key: kpi.id,
            label: kpi.label,
            value: kpi.value ? kpi.value.display : '—',
            median: kpi.teamMedian ? kpi.teamMedian.display : '—',
            versus: kpi.versusMedian ? VERSUS[kpi.versusMedian] : 'No peers to compare'
        }));
    }

    get hasKpis() {
        return this.view.kpis.length > 0;
    }

    get trend() {
        return this.view.trend.map((point) => ({
            key: point.period,
            period: point.period,
            attainment: point.attainment ? point.attainment.display : '—',
            earnings: point.earnings.display
        }));
    }
}
