import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { InputError, issuesFromZod, type InputIssue } from '../../../../shared/src/input/input-error.js';
import { WorkflowConflict } from '../../../../worker/src/db/workflow-conflict.js';
import type { Logger } from '../../../../worker/src/observability/logger.js';
import type { ApiError, ErrorCode } from '../cards/view-models.js';

const STATUS: Record<ErrorCode, number> = { bad_request: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, invalid_input: 422, not_ready: 503, internal: 500 };

/** One problem with what the caller sent: where, what is wrong, what to do (a plan draft's issues also carry their source line). */
export type ApiIssue = InputIssue & { readonly line?: number | undefined };

/**
 * A refusal the caller can act on, thrown anywhere in a card or admin handler and rendered
 * in the backend's one error shape, `{ error: { code, message, fix?, issues?, requestId? } }`:
 * what is wrong, what to do and, for input, every problem with its path and fix.
 */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fix?: string,
    readonly issues: readonly ApiIssue[] = [],
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
  const issues = issuesFromZod(result.error).map((i) => ({ ...i, path: i.path || what }));
  throw new ApiFailure('bad_request', `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, `correct the ${what} and send the request again`, issues);
}

export function errorBody(failure: ApiFailure, requestId?: string): ApiError {
  return { error: { code: failure.code, message: failure.message, ...(failure.fix ? { fix: failure.fix } : {}), ...(failure.issues.length > 0 ? { issues: failure.issues.map((i) => ({ ...i })) } : {}), ...(requestId ? { requestId } : {}) } };
}

export const notFoundRoute: RequestHandler = (req) => {
  throw new ApiFailure('not_found', `No route ${req.method} ${req.path}`, 'check the path against the card API routes (extension/backend/src/cards/view-models.ts CARD_ROUTES)');
};

/**
 * The last middleware, for the card API and the admin API alike. A person's input that
 * failed a document's rules (InputError) is invalid_input with every issue; a workflow
 * refusal (WorkflowConflict: a period out of order, a plan version taken) is a conflict
 * whose message says what is allowed next. Anything else is our bug: logged in full,
 * answered with a request id only, so no internal detail (SQL, stack, another tenant's
 * id) reaches the caller.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(res.locals['requestId'] ?? '');
    let failure: ApiFailure;
    if (err instanceof ApiFailure) failure = err;
    else if (err instanceof InputError) failure = new ApiFailure('invalid_input', `${err.source}: ${err.issues.length} problem(s)`, 'correct the fields listed and try again', err.issues);
    else if (err instanceof WorkflowConflict) failure = new ApiFailure('conflict', err.message, 'see the message for what is allowed next');
    else if (isBodyParserError(err)) failure = new ApiFailure('bad_request', `The request body is not valid JSON: ${err.message}`, 'send a JSON object');
    else {
      logger.error({ err, requestId, method: req.method, path: req.path }, 'API request failed');
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
