/**
 * The card API paths, relative to the backend origin. A copy of CARD_ROUTES in
 * extension/backend/src/cards/view-models.ts: HubSpot bundles only this project's src/, so
 * cards cannot import values from the backend (types are erased and are fine).
 * test/extension/hubspot-cards/project-config.test.ts fails when the two drift apart.
 */
export const CARD_API_BASE = '/api/cards/v1';

export const CARD_PATHS = {
  me: `${CARD_API_BASE}/me`,
  deal: (dealId: string) => `${CARD_API_BASE}/deals/${encodeURIComponent(dealId)}`,
  rep: () => `${CARD_API_BASE}/rep`,
  manager: () => `${CARD_API_BASE}/manager`,
  createCoachingTask: (promptId: string) => `${CARD_API_BASE}/manager/prompts/${encodeURIComponent(promptId)}/tasks`,
} as const;
