import { CsvError, parse } from 'csv-parse/sync';
import { CSV_FILES } from '../../../../cli/csv-data.js';
import type { Dataset } from '../../../../shared/src/domain/dataset.js';
import { measureKey, type Quota } from '../../../../shared/src/domain/quotas.js';
import { parseDataset } from '../../../../shared/src/input/dataset.schema.js';
import { InputError, type InputIssue } from '../../../../shared/src/input/input-error.js';
import type { Db } from '../../../../worker/src/db/database.js';
import { saveQuotasInTransaction } from '../../../../worker/src/db/quotas.js';

/** A problem with one row of the file (line 1 is the header). */
export interface RowIssue extends InputIssue {
  readonly line: number;
}

export type QuotaImportResult =
  | { readonly ok: true; readonly rows: number; readonly imported: number; readonly unchanged: number }
  | { readonly ok: false; readonly rows: number; readonly imported: 0; readonly issues: readonly RowIssue[] };

const SPEC = CSV_FILES.find((f) => f.target === 'quotas')!;

interface Row {
  readonly line: number;
  readonly values: Record<string, unknown>;
}

/**
 * Reads quotas.csv (the columns of docs/data-format.md) into rows. A cell that cannot be a
 * version or a phasing is reported with its row; an empty cell is an absent field.
 */
function readRows(text: string, issues: RowIssue[]): { rows: Row[]; total: number } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Rows are read as plain cell lists so that one row with a stray comma ("12,000") is
    // reported as that row's problem instead of failing the whole file.
    records = parse(text, { info: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 1;
      issues.push({ line, path: `line ${line}`, message: error.message.replace(/ (at|on) line \d+/, ''), fix: 'check that quotes are closed' });
      return { rows: [], total: 0 };
    }
    throw error;
  }
  const [head, ...body] = records;
  const header = head?.record ?? [];
  if (body.length === 0) {
    issues.push({ line: 1, path: 'line 1', message: 'the file has no quota rows', fix: `upload a CSV with the header ${Object.keys(SPEC.columns).join(',')} and one row per quota` });
    return { rows: [], total: 0 };
  }
  for (const column of header) if (!(column in SPEC.columns)) issues.push({ line: 1, path: 'line 1', message: `unknown column "${column}"`, fix: `use the documented columns: ${Object.keys(SPEC.columns).join(', ')}` });
  for (const column of SPEC.required) if (!header.includes(column)) issues.push({ line: 1, path: 'line 1', message: `the header has no "${column}" column`, fix: `add a "${column}" column; it is required` });
  if (issues.length > 0) return { rows: [], total: body.length };
  const rows: Row[] = [];
  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length !== header.length) {
      issues.push({ line, path: `line ${line}`, message: `the row has ${record.length} cells but the header has ${header.length}`, fix: 'write numbers without thousands separators (12000, not 12,000) and put cells that contain a comma in double quotes' });
      continue;
    }
    const values: Record<string, unknown> = {};
    header.forEach((column, i) => {
      const cell = record[i] ?? '';
      if (cell === '') return;
      if (column === 'version') {
        if (/^\d{1,9}$/.test(cell)) values[column] = Number(cell);
        else issues.push({ line, path: `line ${line}, version`, message: `"${cell}" is not a whole number`, fix: 'write a whole number such as 1 or 2 (an empty cell means 1)' });
      } else if (column === 'phasing') {
        const weights: Record<string, string> = {};
        for (const part of cell.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
          const at = part.lastIndexOf(':');
          weights[at < 0 ? part : part.slice(0, at).trim()] = at < 0 ? '' : part.slice(at + 1).trim();
        }
        values[column] = weights;
      } else values[column] = cell;
    });
    rows.push({ line, values });
  }
  return { rows, total: body.length };
}

/** The tenant as a raw data document with no records, so quota rows are checked by the one dataset schema. */
function frame(data: Dataset, rows: readonly Row[]): unknown {
  return {
    tenant: { id: data.tenant.id, name: data.tenant.name, currency: data.tenant.currency },
    calendar: { fiscalYearStartMonth: data.calendar.fiscalYearStartMonth, customPeriods: data.calendar.customPeriods.map((p) => ({ id: p.id, start: p.start, end: p.end })) },
    users: data.users.map((u) => ({ id: u.id, name: u.name })),
    teams: data.teams.map((t) => ({ id: t.id, name: t.name, members: [] })),
    pipelines: data.pipelines.map((p) => ({ id: p.id, name: p.name, stages: p.stages.map((s) => ({ id: s.id, name: s.name, outcome: s.outcome })) })),
    quotas: rows.map((r) => r.values),
  };
}

function sameQuota(a: Quota, b: Quota): boolean {
  const phasing = (q: Quota): string => JSON.stringify([...(q.phasing ?? new Map())].map(([k, v]) => [k, v.toString()]));
  return (
    JSON.stringify(a.owner) === JSON.stringify(b.owner) &&
    measureKey(a.measure) === measureKey(b.measure) &&
    a.period === b.period &&
    a.target.equals(b.target) &&
    a.currency === b.currency &&
    phasing(a) === phasing(b) &&
    a.effectiveFrom === b.effectiveFrom
  );
}

/**
 * Imports a quotas CSV all or nothing: if any row is wrong, nothing is saved and every
 * problem is listed by line, so the admin fixes the file and uploads it again (a partial
 * import would leave some reps on last quarter's targets with nobody noticing). Rows
 * already stored with the same content are skipped, so uploading a file twice is harmless;
 * a row that reuses a stored id and version with other numbers is refused: quota versions
 * are never edited, a change is a new version.
 */
export async function importQuotaCsv(db: Db, tenantId: string, data: Dataset, text: string, actor: string): Promise<QuotaImportResult> {
  const issues: RowIssue[] = [];
  const { rows, total } = readRows(text, issues);
  let quotas: readonly Quota[] = [];
  if (rows.length > 0) {
    try {
      quotas = parseDataset(frame(data, rows), 'quotas.csv').quotas;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const issue of error.issues) {
        const match = /^quotas\[(\d+)\]\.?(.*)$/.exec(issue.path);
        const row = match ? rows[Number(match[1])] : undefined;
        const line = row?.line ?? 1;
        const column = match?.[2] ? `, ${match[2]}` : '';
        issues.push({ ...issue, line, path: `line ${line}${column}` });
      }
    }
  }
  const stored = new Map(data.quotas.map((q) => [`${q.id}@${q.version}`, q]));
  const inFile = new Map<string, number>();
  quotas.forEach((q, i) => {
    const line = rows[i]!.line;
    const key = `${q.id}@${q.version}`;
    const first = inFile.get(key);
    if (first !== undefined) issues.push({ line, path: `line ${line}, id`, message: `quota ${q.id} version ${q.version} is also on line ${first}`, fix: 'keep one row per quota id and version' });
    else inFile.set(key, line);
    const before = stored.get(key);
    if (before && !sameQuota(before, q)) {
      issues.push({ line, path: `line ${line}, version`, message: `quota ${q.id} version ${q.version} is already stored with target ${before.target.toString()} for ${before.period}`, fix: `quota versions are never edited: import the change as version ${Math.max(...data.quotas.filter((x) => x.id === q.id).map((x) => x.version)) + 1} with an effectiveFrom date` });
    }
  });
  if (issues.length > 0) return { ok: false, rows: total, imported: 0, issues: [...issues].sort((a, b) => a.line - b.line) };
  const fresh = quotas.filter((q) => !stored.has(`${q.id}@${q.version}`));
  const imported = fresh.length === 0 ? 0 : await db.transaction().execute((tx) => saveQuotasInTransaction(tx, tenantId, fresh, actor));
  return { ok: true, rows: total, imported, unchanged: quotas.length - imported };
}
