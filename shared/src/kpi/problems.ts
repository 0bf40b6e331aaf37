/**
 * Records the KPIs could not value, instead of guessing: a card shows them next to the
 * numbers so a person knows which figures are incomplete and what to fix.
 */
export const KPI_PROBLEM_CODES = ['missing_fx_rate', 'revenue_splits_not_100', 'unknown_stage', 'unknown_team', 'unknown_user'] as const;
export type KpiProblemCode = (typeof KPI_PROBLEM_CODES)[number];

/** Same shape as the engine's `EngineException`, so both can be shown by the same UI. */
export interface KpiProblem {
  readonly code: KpiProblemCode;
  readonly recordId: string;
  readonly message: string;
  readonly fix: string;
}

export class ProblemLog {
  private readonly byKey = new Map<string, KpiProblem>();

  add(problem: KpiProblem): void {
    // Several KPIs look at the same deal; one problem per record and cause is enough.
    this.byKey.set(`${problem.code}|${problem.recordId}|${problem.message}`, problem);
  }

  /** Sorted by record, then code, so reports compare equal whatever order records were read in. */
  list(): KpiProblem[] {
    return [...this.byKey.values()].sort((a, b) => (a.recordId !== b.recordId ? (a.recordId < b.recordId ? -1 : 1) : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }
}
