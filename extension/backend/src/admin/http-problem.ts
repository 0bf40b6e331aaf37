import type { ErrorRequestHandler } from 'express';
import { InputError, type InputIssue } from '../../../../shared/src/input/input-error.js';

/**
 * A refusal the console shows as it is: what is wrong, what to do, and, for a document a
 * person wrote (a plan draft, a dispute), every problem with its path and fix. Rendered in
 * the backend's one error shape, `{ error: { code, message, fix, issues } }`.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    message: string,
    readonly fix: string,
    readonly issues: readonly InputIssue[] = [],
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

const CODE = { 400: 'bad_request', 404: 'not_found', 409: 'conflict', 422: 'invalid_input' } as const;

/** The workflow refusals of the worker's repositories (a locked period, a plan version taken) are conflicts a person resolves. */
const CONFLICT = /cannot become|already exists with other content|locked statements are never rewritten/;

/** Renders the admin API's own refusals; anything else goes on to the backend's error handler (logged, answered with a request id). */
export function problemHandler(): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    let problem: HttpProblem | undefined;
    if (error instanceof HttpProblem) problem = error;
    else if (error instanceof InputError) problem = new HttpProblem(422, `${error.source}: ${error.issues.length} problem(s)`, 'correct the fields listed and try again', error.issues);
    else if (error instanceof Error && CONFLICT.test(error.message)) problem = new HttpProblem(409, error.message, 'see the message for what is allowed next');
    if (!problem) return next(error);
    res.status(problem.status).json({ error: { code: CODE[problem.status], message: problem.message, fix: problem.fix, issues: problem.issues } });
  };
}
