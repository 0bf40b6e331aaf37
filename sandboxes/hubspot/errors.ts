import { randomUUID } from 'node:crypto';
import type { WireError } from './wire.js';

/**
 * An error the sandbox answers with, in HubSpot's body shape
 * `{status:'error', message, correlationId, category, ...}`.
 */
export class HubspotError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body['message']));
  }
}

export function errorBody(message: string, category: string, extra: Partial<WireError> = {}): WireError {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export const badRequest = (message: string, extra: Partial<WireError> = {}): HubspotError => new HubspotError(400, errorBody(message, 'VALIDATION_ERROR', extra));

export const notFound = (message = 'resource not found'): HubspotError => new HubspotError(404, errorBody(message, 'OBJECT_NOT_FOUND'));

export const AUTH_NOT_FOUND_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function invalidAuthentication(): HubspotError {
  return new HubspotError(401, errorBody(AUTH_NOT_FOUND_MESSAGE, 'INVALID_AUTHENTICATION'));
}

export function expiredAuthentication(expiredAtMs: number, nowMs: number): HubspotError {
  const ago = Math.max(0, Math.floor((nowMs - expiredAtMs) / 1000));
  const [amount, unit] = ago < 60 ? [ago, 'second'] : ago < 3600 ? [Math.floor(ago / 60), 'minute'] : ago < 86_400 ? [Math.floor(ago / 3600), 'hour'] : [Math.floor(ago / 86_400), 'day'];
  return new HubspotError(
    401,
    errorBody(`The OAuth token used to make this call expired ${amount} ${unit}(s) ago.`, 'EXPIRED_AUTHENTICATION', { context: { 'expire time': [new Date(expiredAtMs).toISOString()] } }),
  );
}

export function missingScopes(required: readonly string[]): HubspotError {
  return new HubspotError(
    403,
    errorBody("This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", 'MISSING_SCOPES', {
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [...required] } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    }),
  );
}

/** OAuth token endpoint errors use their own shape: `{status: 'BAD_REFRESH_TOKEN', message, correlationId}`. */
export function oauthError(status: string, message: string, httpStatus = 400): HubspotError {
  return new HubspotError(httpStatus, { status, message, correlationId: randomUUID() });
}
