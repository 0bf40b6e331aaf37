/**
 * A timestamp column as the console's JSON states it (ISO 8601, UTC). The worker's schema
 * nests ColumnType in Generated, which Kysely does not unwrap on select, so columns arrive
 * typed loosely; pg and PGlite give Dates.
 */
export function timestampJson(value: unknown): string {
  return new Date(value as Date).toISOString();
}

/** A nullable timestamp column as JSON: null stays null. */
export function timestampJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : timestampJson(value);
}
