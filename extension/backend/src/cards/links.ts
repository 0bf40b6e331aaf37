import { CARD_API_BASE, type ExplainedFigure } from './view-models.js';

/** `userId` travels as `subjectId`: HubSpot appends its own `userId` to every hubspot.fetch URL. */
export function explainHref(figure: ExplainedFigure, params: Readonly<Record<string, string | undefined>>): string {
  const query = new URLSearchParams({ figure });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k === 'userId' ? 'subjectId' : k, v);
  return `${CARD_API_BASE}/explain?${query.toString()}`;
}
