import { LightningElement, api } from 'lwc';

/** Attainment rows (from spmCardApi.attainmentRows) as labelled progress bars. */
export default class SpmAttainment extends LightningElement {
    @api rows = [];
}
