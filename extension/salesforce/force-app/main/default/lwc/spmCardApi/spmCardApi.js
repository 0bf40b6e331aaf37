/**
 * Shared helpers for the SPM cards: load and parse the backend's view models, turn Apex failures
 * into something a user can act on, and pick idempotency keys. Money arrives as display strings
 * from the backend; nothing here does arithmetic on it.
 */

const API_VERSION = 1;

/** Parses a view-model JSON string and checks it is the version-1 view the card expects. */
export function parseView(json, kind) {
    let view;
    try {
        view = JSON.parse(json);
    } catch (e) {
        view = undefined;
    }
    if (!view || view.kind !== kind || view.version !== API_VERSION) {
        const problem = new Error(
            `The SPM backend sent something other than a version ${API_VERSION} "${kind}" view. The app and the backend are out of step: ask your admin to update the SPM package.`
        );
        problem.spmCode = 'unexpected';
        throw problem;
    }
    return view;
}

function apexPayload(error) {
    const raw = error && error.body && typeof error.body.message === 'string' ? error.body.message : null;
    if (!raw) return null;
    try {
        const payload = JSON.parse(raw);
        if (payload && payload.error && typeof payload.error.code === 'string' && typeof payload.error.message === 'string') {
            return payload;
        }
    } catch (e) {
        // Not our JSON: a platform error (e.g. missing permission); shown as-is below.
    }
    return null;
}

const EMPTY_CODES = ['not_ready', 'not_found'];
const LOCK_CODES = ['forbidden', 'unauthenticated'];

/**
 * What to show for a failed load. "Not ready" and "not found" are ordinary states (first
 * sync running, a new deal not synced yet), so they render as empty states, not errors.
 */
export function describeProblem(error, subject) {
    const payload = apexPayload(error);
    if (!payload) {
        const message =
            (error && error.body && error.body.message) || (error && error.message) || 'Something went wrong.';
        return { empty: false, locked: false, title: `Couldn't load ${subject}`, message, fix: null, reference: null };
    }
    const { code, message, fix, requestId } = payload.error;
    const empty = EMPTY_CODES.includes(code);
    const locked = LOCK_CODES.includes(code);
    let title = `Couldn't load ${subject}`;
    if (code === 'not_ready') title = 'No figures yet';
    else if (code === 'not_found') title = 'Nothing to show yet';
    else if (locked) title = `You can't see ${subject}`;
    return { empty, locked, title, message, fix: fix || null, reference: requestId ? `Reference: ${requestId}` : null };
}

/**
 * Loads a card's view into the card's own `loading`, `view` and `problem` fields, which its
 * template shows as spinner, content or c-spm-problem. `fetchJson` is the Apex call. Every card
 * loads the same way, so a retry clears the old problem and a failure never leaves stale figures.
 */
export async function loadView(card, fetchJson, kind, subject) {
    card.loading = true;
    card.problem = null;
    try {
        card.view = parseView(await fetchJson(), kind);
    } catch (error) {
        card.view = null;
        card.problem = describeProblem(error, subject);
    } finally {
        card.loading = false;
    }
}

/** One line for an alert: message, fix and request id. */
export function problemText(error) {
    const payload = apexPayload(error);
    if (!payload) return (error && error.body && error.body.message) || (error && error.message) || 'Something went wrong.';
    const { message, fix, requestId } = payload.error;
    return [message, fix, requestId ? `Reference: ${requestId}` : null].filter(Boolean).join(' ');
}

/**
 * The progress bar's fill only: the exact attainment stays a decimal string in the label.
 * Over-attainment fills the bar.
 */
export function progressFill(percent) {
    const value = Number(percent);
    if (!Number.isFinite(value) || value <= 0) return 0;
    return Math.min(value, 100);
}

const MEASURES = { revenue: 'Revenue', 'deal-count': 'Deals won', 'gross-margin': 'Gross margin' };

export function measureLabel(measure) {
    if (MEASURES[measure]) return MEASURES[measure];
    if (measure && measure.startsWith('activity:')) {
        const kind = measure.slice('activity:'.length);
        return kind ? `${kind.charAt(0).toUpperCase()}${kind.slice(1)}s` : 'Activities';
    }
    return measure;
}

/** Attainment rows ready for the template. */
export function attainmentRows(rows, caption) {
    return (rows || []).map((row) => {
        const label = `${caption}: ${measureLabel(row.measure)}`;
        const hasQuota = Boolean(row.attainment && row.quota);
        return {
            key: `${row.planId}/${row.componentId}`,
            label,
            hasQuota,
            fill: hasQuota ? progressFill(row.attainment.value) : 0,
            description: hasQuota
                ? `${row.attainment.display} · ${row.credited.display} of ${row.quota.display}`
                : `${row.credited.display} credited (no quota set)`
        };
    });
}

/** A fresh key per intended task; reused by the caller when it retries the same task. */
export function newIdempotencyKey() {
    if (typeof crypto !== 'undefined' && crypto && typeof crypto.randomUUID === 'function') {
        return crypto.randomUUID();
    }
    let random = '';
    for (let i = 0; i < 5; i += 1) {
        random += Math.floor(Math.random() * 0x10000)
            .toString(16)
            .padStart(4, '0');
    }
    return `ck-${Date.now().toString(36)}-${random}`;
}
