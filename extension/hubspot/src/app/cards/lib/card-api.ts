import { hubspot } from '@hubspot/ui-extensions';
import type { ApiError } from '../../../../../backend/src/cards/view-models.js';

/** Why a card could not show its figures, in terms the card can explain to the user. */
export type CardProblem =
  /** The backend answered with its error shape (4xx/5xx). */
  | { kind: 'api'; status: number; error: ApiError['error'] }
  /** hubspot.fetch failed: network, timeout, or HubSpot's proxy refused the request. */
  | { kind: 'unreachable'; message: string }
  /** The backend answered, but not with a body this card understands. */
  | { kind: 'unexpected'; message: string }
  /** The app itself is misconfigured (no API origin). */
  | { kind: 'config'; message: string };

export class CardApiError extends Error {
  constructor(readonly problem: CardProblem) {
    super(problem.kind === 'api' ? problem.error.message : problem.message);
    this.name = 'CardApiError';
  }
}

export interface CardApi {
  get<T extends { kind: string }>(path: string, expectedKind: T['kind']): Promise<T>;
  post<T extends { kind: string }>(path: string, body: Record<string, unknown>, expectedKind: T['kind']): Promise<T>;
}

/** The card API version these cards are written for (view-models.ts CARD_API_VERSION). */
const EXPECTED_VERSION = 1;
/** hubspot.fetch's documented default; a card that hangs longer than this helps nobody. */
const TIMEOUT_MS = 15_000;

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * Calls the SPM backend through hubspot.fetch, which signs each request (X-HubSpot-Signature-v3)
 * and appends portalId/userId itself: the card sends only the record id it is mounted on.
 * The backend checks every body against the view-model schemas; the card checks kind and
 * version so an incompatible backend shows a clear error instead of a half-drawn card.
 */
export function createCardApi(origin: string): CardApi {
  const call = async <T extends { kind: string }>(
    path: string,
    options: { method: 'GET' } | { method: 'POST'; body: Record<string, unknown> },
    expectedKind: T['kind'],
  ): Promise<T> => {
    let response: Response;
    try {
      response = await hubspot.fetch(`${origin}${path}`, { ...options, timeout: TIMEOUT_MS });
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new CardApiError({ kind: 'unreachable', message: `Could not reach the SPM backend (${detail}). Check your connection and try again.` });
    }
    const body = await readJson(response);
    if (!response.ok) {
      if (isApiError(body)) throw new CardApiError({ kind: 'api', status: response.status, error: body.error });
      throw new CardApiError({ kind: 'unexpected', message: `The SPM backend answered HTTP ${response.status} without an explanation. Try again in a minute.` });
    }
    const shaped = body as { kind?: unknown; version?: unknown } | undefined;
    if (typeof shaped !== 'object' || shaped === null || shaped.kind !== expectedKind || shaped.version !== EXPECTED_VERSION) {
      throw new CardApiError({
        kind: 'unexpected',
        message: `The SPM backend sent something other than a version ${EXPECTED_VERSION} "${expectedKind}" view. The app and the backend are out of step: ask your admin to update the app.`,
      });
    }
    return body as T;
  };
  return {
    get: (path, expectedKind) => call(path, { method: 'GET' }, expectedKind),
    post: (path, body, expectedKind) => call(path, { method: 'POST', body }, expectedKind),
  };
}

export function problemOf(error: unknown): CardProblem {
  if (error instanceof CardApiError) return error.problem;
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
