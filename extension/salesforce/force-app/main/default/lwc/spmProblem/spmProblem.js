import { LightningElement, api } from 'lwc';

/** An empty, locked or error state for a card; fires "retry" when the user asks to try again. */
export default class SpmProblem extends LightningElement {
    @api problem;
    @api retryable = false;

    get isEmpty() {
        return Boolean(this.problem && this.problem.empty);
    }

    get boxClass() {
        if (this.isEmpty) return 'slds-box slds-theme_shade';
        return this.problem && this.problem.locked
            ? 'slds-notify slds-notify_alert slds-alert_offline'
            : 'slds-notify slds-notify_alert slds-alert_error';
    }

    get role() {
        return this.isEmpty ? 'status' : 'alert';
    }

    handleRetry() {
        this.dispatchEvent(new CustomEvent('retry'));
    }
}
