import { LightningElement, api } from 'lwc';
import getLinked from '@salesforce/apex/SpmCardController.getLinked';
import { loadView } from 'c/spmCardApi';

/** "Why is this my number?": fetches the lines behind a figure only when opened. */
export default class SpmExplanation extends LightningElement {
    @api link;
    open = false;
    loading = false;
    view = null;
    problem = null;

    get buttonLabel() {
        return this.open ? `Hide: ${this.link.label}` : this.link.label;
    }

    get heading() {
        if (!this.view) return '';
        return this.view.total ? `${this.view.title}: ${this.view.total.display}` : this.view.title;
    }

    get lines() {
        return (this.view ? this.view.lines : []).map((line) => ({
            key: line.key,
            when: line.date || line.period || '—',
            deal: line.dealName || '—',
            amount: (line.amount && line.amount.display) || (line.credited && line.credited.display) || '—',
            explanation: line.explanation
        }));
    }

    get hasLines() {
        return this.lines.length > 0;
    }

    get notes() {
        return this.view ? this.view.notes : [];
    }

    async toggle() {
        this.open = !this.open;
        if (this.open && !this.view) await this.load();
    }

    load() {
        return loadView(this, () => getLinked({ href: this.link.href }), 'explanation', 'the explanation');
    }
}
