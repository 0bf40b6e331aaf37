/**
 * A refusal of the pay workflow that a person resolves, not a fault: a period moved out of
 * order, a plan version already taken with other content, a write into a locked period.
 * The message says what is allowed next. Callers that answer people (the admin API) map it
 * by type to a conflict (HTTP 409); a job that meets it fails like any other error.
 */
export class WorkflowConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowConflict';
  }
}
