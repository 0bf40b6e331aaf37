import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../../../../worker/src/observability/logger.js';
import type { ApiError, ErrorCode } from '../cards/view-models.js';

const STATUS: Record<ErrorCode, number> = { bad_request: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, not_ready: 503, internal: 500 };

/** A refusal the caller can act on: thrown anywhere in a handler, rendered in the one error shape. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fix?: string,
    readonly details?: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** Parses request input with a zod schema; a mismatch is a 400 that names each field and says what to send. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.join('.') || what, message: i.message }));
  throw new ApiFailure('bad_request', `Invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, `correct the ${what} and send the request again`, details);
}

export function errorBody(failure: ApiFailure, requestId?: string): ApiError {
  return { error: { code: failure.code, message: failure.message, ...(failure.fix ? { fix: failure.fix } : {}), ...(failure.details ? { details: [...failure.details] } : {}), ...(requestId ? { requestId } : {}) } };
}

export const notFoundRoute: RequestHandler = (req) => {
  throw new ApiFailure('not_found', `No route ${req.method} ${req.path}`, 'check the path against the card API routes (extension/backend/src/cards/view-models.ts CARD_ROUTES)');
};

/**
 * The last middleware. Anything that is not an ApiFailure is our bug: logged in full,
 * answered with a request id only, so no internal detail (SQL, stack, another tenant's
 * id) reaches the caller.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(res.locals['requestId'] ?? '');
    let failure: ApiFailure;
    if (err instanceof ApiFailure) failure = err;
    else if (isBodyParserError(err)) failure = new ApiFailure('bad_request', `The request body is not valid JSON: ${err.message}`, 'send a JSON object');
    else {
      logger.error({ err, requestId, method: req.method, path: req.path }, 'card API request failed');
      failure = new ApiFailure('internal', `Something went wrong on our side (request ${requestId})`, 'try again; if it keeps failing, report the request id');
    }
    if (failure.status >= 400 && failure.status < 500) logger.debug({ requestId, code: failure.code, path: req.path }, 'request refused');
    res.status(failure.status).json(errorBody(failure, requestId));
  };
}

function isBodyParserError(err: unknown): err is Error & { type: string } {
  const type = err instanceof Error ? (err as unknown as { type?: unknown }).type : undefined;
  return typeof type === 'string' && type.startsWith('entity.');
}
