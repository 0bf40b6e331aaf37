/**
 * What the LWC card tests share: an Apex failure as the card receives it, waiting for the
 * card's promises, reading its shadow DOM by data-id, and the freshness note every card
 * shows. Kept outside force-app, so nothing here is deployed with the package.
 */
import { createElement } from '@lwc/engine-dom';

/** Apex failures reach the LWC as { body: { message } }; SpmCardController puts the backend error JSON there. */
export function apexError(status, code, message, extra = {}) {
    return { body: { message: JSON.stringify({ status, error: { code, message, ...extra } }) } };
}

export function flushPromises() {
    return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Creates the card, sets `props` on it and puts it in the document. */
export function mountCard(tag, component, props = {}) {
    const element = createElement(tag, { is: component });
    Object.assign(element, props);
    document.body.appendChild(element);
    return element;
}

export const $ = (root, id) => root.shadowRoot.querySelector(`[data-id="${id}"]`);
export const $$ = (root, id) => Array.from(root.shadowRoot.querySelectorAll(`[data-id="${id}"]`));
export const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);
export const cells = (row) => Array.from(row.querySelectorAll('th, td')).map(text);

/**
 * The backend words the freshness note once (card-context.ts freshnessOf): while figures may
 * change, the card shows that note as it is, and no warning of its own besides.
 */
export async function expectFreshnessShownAsSent(apexCall, view, pending, mount) {
    const display = `As of 28 Nov 2026 10:05 UTC · ${pending === 'syncPending' ? 'sync in progress' : 'recalculating'}: these figures may change in a few minutes`;
    apexCall.mockResolvedValue(JSON.stringify({ ...view, freshness: { ...view.freshness, [pending]: true, display } }));
    const element = mount();
    await flushPromises();
    expect(text($(element, 'freshness'))).toBe(display);
}
