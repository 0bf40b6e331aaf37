import { LightningElement, api } from 'lwc';
import getDealCard from '@salesforce/apex/SpmCardController.getDealCard';
import { attainmentRows, loadView } from 'c/spmCardApi';

const SUBJECT = 'what this deal pays you';

/** Opportunity record page: what this deal pays the viewer and where it leaves their attainment. */
export default class SpmDealCard extends LightningElement {
    @api recordId;
    loading = true;
    view = null;
    problem = null;

    connectedCallback() {
        this.load();
    }

    load() {
        return loadView(this, () => getDealCard({ opportunityId: this.recordId }), 'deal', SUBJECT);
    }

    get who() {
        return this.view.payee.userId === this.view.viewer.userId ? 'you' : this.view.payee.name;
    }

    get dealSummary() {
        const { deal } = this.view;
        return `${deal.status} · ${deal.stageName} · ${deal.amount.display} · closes ${deal.closeDate}`;
    }

    get noPay() {
        return this.view.outcome === 'not-credited' || this.view.outcome === 'no-plan';
    }

    get noPayTitle() {
        return this.view.outcome === 'not-credited' ? `This deal gives ${this.who} no credit` : `No plan pays ${this.who} for this deal`;
    }

    get noPayReason() {
        return this.view.outcome === 'not-credited'
            ? `${this.view.payee.name} is not the owner, on a split, or the manager of this deal, so it adds nothing to quota or pay.`
            : `The deal credits ${this.view.payee.name}, but no commission plan covers ${this.view.period || 'its close date'}. Ask your admin to check the plan's dates and members.`;
    }

    get isEstimate() {
        return this.view.outcome === 'estimate';
    }

    get heading() {
        const period = this.view.period ? ` in ${this.view.period}` : '';
        return this.isEstimate ? `If this deal closes${period}` : `What this deal paid${period}`;
    }

    get commissionLabel() {
        return this.isEstimate ? `Pays ${this.who} if it closes` : `Paid ${this.who}`;
    }

    get commission() {
        return this.view.commission ? this.view.commission.display : '—';
    }

    get netPay() {
        return this.view.netPay ? this.view.netPay.display : '—';
    }

    get tier() {
        return this.view.landsInTier === null ? 'Not tiered' : `Tier ${this.view.landsInTier}`;
    }

    get nowRows() {
        return attainmentRows(this.view.attainment.now, 'Attainment now');
    }

    get afterRows() {
        return this.view.attainment.afterClose ? attainmentRows(this.view.attainment.afterClose, 'If it closes') : null;
    }

    get nextTier() {
        const next = this.view.nextTier;
        if (!next) return 'Already in the top tier, or the plan has no tiers.';
        return `To tier ${next.tier} (at ${next.atAttainment.display} attainment): ${next.creditNeeded.display} more${this.isEstimate ? ' after this deal' : ''}.`;
    }

    get lines() {
        return this.view.lines.map((line) => ({
            key: line.key,
            kind: line.kind,
            amount: line.amount ? line.amount.display : '—',
            explanation: line.explanation
        }));
    }

    get hasLines() {
        return this.view.lines.length > 0;
    }
}
