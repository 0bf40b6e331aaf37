import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import type { Dataset } from '../shared/src/domain/dataset.js';
import { parseDataset } from '../shared/src/input/dataset.schema.js';
import { InputError, type InputIssue } from '../shared/src/input/input-error.js';
import { fileError } from './io.js';
import { jsonSyntaxError, splitPath } from './source-lines.js';

/**
 * The CSV form of the data file (docs/data-format.md): a directory with `tenant.json`
 * (tenant, calendar, pipelines, teams) and one CSV per record type. Rows are mapped into
 * the same raw document the JSON form is, and checked by the same `parseDataset`, so both
 * forms accept and reject exactly the same data. Problems are reported by file and line.
 */

type Cell = 'text' | 'boolean' | 'integer' | 'nullable' | 'phasing';

interface CsvSpec {
  readonly file: string;
  /** The dataset array the rows fill (splits and stage history are nested into deals). */
  readonly target: 'users' | 'managers' | 'deals' | 'splits' | 'stageHistory' | 'activities' | 'quotas' | 'fxRates';
  readonly columns: Readonly<Record<string, Cell>>;
  readonly required: readonly string[];
  /** Extra columns allowed by prefix ("property.dealType"). */
  readonly prefix?: string;
  readonly mandatoryFile?: boolean;
}

export const CSV_FILES: readonly CsvSpec[] = [
  { file: 'users.csv', target: 'users', mandatoryFile: true, required: ['id', 'name'], columns: { id: 'text', name: 'text', email: 'text', active: 'boolean', startDate: 'text', endDate: 'text', payCurrency: 'text' } },
  { file: 'managers.csv', target: 'managers', required: ['userId', 'managerId', 'from'], columns: { userId: 'text', managerId: 'nullable', from: 'text', to: 'text' } },
  {
    file: 'deals.csv',
    target: 'deals',
    mandatoryFile: true,
    prefix: 'property.',
    required: ['id', 'pipelineId', 'stageId', 'amount', 'currency', 'closeDate', 'createdDate', 'ownerId'],
    columns: { id: 'text', name: 'text', pipelineId: 'text', stageId: 'text', amount: 'text', currency: 'text', closeDate: 'text', createdDate: 'text', ownerId: 'text', sourceVersion: 'text' },
  },
  { file: 'splits.csv', target: 'splits', required: ['dealId', 'userId', 'type', 'percent'], columns: { dealId: 'text', userId: 'text', type: 'text', percent: 'text' } },
  { file: 'stage-history.csv', target: 'stageHistory', required: ['dealId', 'stageId', 'enteredAt'], columns: { dealId: 'text', stageId: 'text', enteredAt: 'text' } },
  { file: 'activities.csv', target: 'activities', required: ['id', 'type', 'userId', 'occurredAt'], columns: { id: 'text', type: 'text', status: 'text', userId: 'text', dealId: 'text', occurredAt: 'text' } },
  {
    file: 'quotas.csv',
    target: 'quotas',
    required: ['id', 'period', 'target'],
    columns: { id: 'text', userId: 'text', teamId: 'text', measure: 'text', period: 'text', target: 'text', currency: 'text', phasing: 'phasing', version: 'integer', effectiveFrom: 'text' },
  },
  { file: 'fx-rates.csv', target: 'fxRates', required: ['from', 'to', 'rate', 'date', 'source'], columns: { from: 'text', to: 'text', rate: 'text', date: 'text', source: 'text' } },
];

const TENANT_KEYS = ['tenant', 'calendar', 'pipelines', 'teams'] as const;

interface Row {
  readonly line: number;
  readonly values: Record<string, unknown>;
}

/** Where each record of the raw document came from. */
interface Origins {
  readonly rows: Map<string, number[]>;
  /** deals index → split rows' lines, in the order they were nested. */
  readonly splitLines: Map<number, number[]>;
  readonly stageLines: Map<number, number[]>;
}

const FILE_OF: Record<string, string> = { users: 'users.csv', managers: 'managers.csv', deals: 'deals.csv', activities: 'activities.csv', quotas: 'quotas.csv', fxRates: 'fx-rates.csv' };

function readCsv(dir: string, spec: CsvSpec, issues: InputIssue[], cellIssues: InputIssue[]): Row[] | undefined {
  const path = join(dir, spec.file);
  if (!existsSync(path)) {
    if (spec.mandatoryFile) issues.push({ path: spec.file, message: 'the file is missing', fix: `add ${spec.file} with a header row (see docs/data-format.md)` });
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const e = fileError(path, error).issues[0]!;
    issues.push({ ...e, path: spec.file });
    return undefined;
  }
  let records: { record: Record<string, string>; raw: string; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, raw: true, bom: true, skip_empty_lines: true, trim: true, record_delimiter: ['\r\n', '\n', '\r'] }) as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      issues.push({ path: line ? `${spec.file} line ${line}` : spec.file, message: error.message.replace(/ (at|on) line \d+/, ''), fix: 'check that every row has as many cells as the header and that quotes are closed' });
      return undefined;
    }
    throw error;
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? '';
  const columns = records.length > 0 ? Object.keys(records[0]!.record) : parseHeader(header);
  const headerIssues: InputIssue[] = [];
  for (const column of columns) {
    if (!(column in spec.columns) && !(spec.prefix && column.startsWith(spec.prefix) && column.length > spec.prefix.length)) {
      headerIssues.push({
        path: `${spec.file} line 1`,
        message: `unknown column "${column}"`,
        fix: `use the documented columns: ${Object.keys(spec.columns).join(', ')}${spec.prefix ? `, and ${spec.prefix}<name> for CRM properties` : ''}`,
      });
    }
  }
  for (const column of spec.required) {
    if (!columns.includes(column)) headerIssues.push({ path: `${spec.file} line 1`, message: `the header has no "${column}" column`, fix: `add a "${column}" column; it is required` });
  }
  if (headerIssues.length > 0) {
    issues.push(...headerIssues);
    return undefined;
  }
  return records.map(({ record, raw, info }) => {
    // info.lines is the line a record ends on; multi-line quoted cells start earlier.
    const body = raw.replace(/^(?:\r\n|\n|\r)+/, '').replace(/(?:\r\n|\n|\r)$/, '');
    const line = info.lines - (body.match(/\r\n|\n|\r/g)?.length ?? 0);
    const values: Record<string, unknown> = {};
    for (const [column, cell] of Object.entries(record)) {
      if (cell === '') {
        // An empty cell is an absent field (defaults apply, required ones are reported),
        // except a nullable one: an empty managerId means "reports to nobody".
        if (spec.columns[column] === 'nullable') values[column] = null;
        continue;
      }
      if (spec.prefix && column.startsWith(spec.prefix)) {
        const properties = (values['properties'] ??= {}) as Record<string, string>;
        properties[column.slice(spec.prefix.length)] = cell;
        continue;
      }
      const converted = convert(spec.columns[column]!, cell);
      if (converted instanceof CellProblem) cellIssues.push({ path: `${spec.file} line ${line}`, message: `${column}: ${converted.message}`, fix: converted.fix });
      else values[column] = converted;
    }
    return { line, values };
  });
}

class CellProblem {
  constructor(
    readonly message: string,
    readonly fix: string,
  ) {}
}

function parseHeader(header: string): string[] {
  if (header.trim() === '') return [];
  try {
    const [row] = parse(header, { bom: true, trim: true }) as string[][];
    return row ?? [];
  } catch {
    return header.split(',').map((c) => c.trim());
  }
}

function convert(kind: Cell, cell: string): unknown {
  switch (kind) {
    case 'text':
      return cell;
    case 'nullable':
      return cell;
    case 'boolean': {
      const lower = cell.toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(lower)) return true;
      if (['false', 'no', 'n', '0'].includes(lower)) return false;
      return new CellProblem(`"${cell}" is not true or false`, 'write true or false (an empty cell means true)');
    }
    case 'integer':
      return /^\d{1,9}$/.test(cell) ? Number(cell) : new CellProblem(`"${cell}" is not a whole number`, 'write a whole number such as 1 or 2 (an empty cell means 1)');
    case 'phasing': {
      // "2026-07:0.2; 2026-08:0.3; 2026-09:0.5"
      const weights: Record<string, string> = {};
      for (const part of cell.split(';')) {
        const trimmed = part.trim();
        if (trimmed === '') continue;
        const at = trimmed.lastIndexOf(':');
        weights[at < 0 ? trimmed : trimmed.slice(0, at).trim()] = at < 0 ? '' : trimmed.slice(at + 1).trim();
      }
      return weights;
    }
  }
}

export interface CsvDatasetDocument {
  readonly document: Record<string, unknown>;
  readonly dealCount: number;
  /** Maps an issue about the raw document (`deals[12].amount`) to the file and line it came from. */
  readonly locate: (issue: InputIssue) => InputIssue;
  /** Cells that could not be read as their column's type (already located). */
  readonly cellIssues: readonly InputIssue[];
}

/** Reads the directory into the raw data document, or throws InputError for file-level problems. */
export function readCsvDocument(dir: string): CsvDatasetDocument {
  const issues: InputIssue[] = [];
  const document: Record<string, unknown> = {};

  const tenantPath = join(dir, 'tenant.json');
  if (!existsSync(tenantPath)) {
    issues.push({ path: 'tenant.json', message: 'the file is missing', fix: 'add tenant.json with "tenant", "calendar", "pipelines" (and optional "teams"); see docs/data-format.md' });
  } else {
    let text = '';
    try {
      text = readFileSync(tenantPath, 'utf8');
    } catch (error) {
      issues.push({ ...fileError(tenantPath, error).issues[0]!, path: 'tenant.json' });
    }
    if (text !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        const issue = jsonSyntaxError('tenant.json', text, error as SyntaxError).issues[0]!;
        issues.push({ ...issue, path: `tenant.json ${issue.path}`.trim() });
      }
      if (parsed !== undefined) {
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          issues.push({ path: 'tenant.json', message: 'must hold a JSON object', fix: 'write { "tenant": {...}, "pipelines": [...] }' });
        } else {
          for (const [key, value] of Object.entries(parsed)) {
            if ((TENANT_KEYS as readonly string[]).includes(key)) document[key] = value;
            else {
              const csv = CSV_FILES.find((f) => f.target === key)?.file;
              issues.push({ path: `tenant.json: ${key}`, message: `"${key}" does not belong in tenant.json`, fix: csv ? `put these records in ${csv}` : `tenant.json holds only ${TENANT_KEYS.join(', ')}` });
            }
          }
        }
      }
    }
  }

  const rowsByTarget = new Map<CsvSpec['target'], Row[]>();
  // Cells that cannot be converted are reported with the schema's findings, in one pass.
  const cellIssues: InputIssue[] = [];
  for (const spec of CSV_FILES) {
    const rows = readCsv(dir, spec, issues, cellIssues);
    if (rows) rowsByTarget.set(spec.target, rows);
  }
  if (issues.length > 0) throw new InputError(dir, issues);

  const origins: Origins = { rows: new Map(), splitLines: new Map(), stageLines: new Map() };
  for (const target of ['users', 'managers', 'deals', 'activities', 'quotas', 'fxRates'] as const) {
    const rows = rowsByTarget.get(target);
    if (!rows) continue;
    document[target] = rows.map((r) => r.values);
    origins.rows.set(target, rows.map((r) => r.line));
  }

  // Splits and stage history are nested into their deals, remembering each row's line.
  const deals = (document['deals'] ?? []) as Record<string, unknown>[];
  const dealIndex = new Map<string, number>();
  deals.forEach((d, i) => {
    if (typeof d['id'] === 'string' && !dealIndex.has(d['id'])) dealIndex.set(d['id'], i);
  });
  const nest = (target: 'splits' | 'stageHistory', file: string, lines: Map<number, number[]>): void => {
    for (const row of rowsByTarget.get(target) ?? []) {
      const { dealId, ...rest } = row.values;
      const index = typeof dealId === 'string' ? dealIndex.get(dealId) : undefined;
      if (index === undefined) {
        issues.push({ path: `${file} line ${row.line}`, message: `dealId: unknown deal "${String(dealId ?? '')}"`, fix: 'add the deal to deals.csv or correct the dealId' });
        continue;
      }
      const deal = deals[index]!;
      ((deal[target] ??= []) as unknown[]).push(rest);
      lines.set(index, [...(lines.get(index) ?? []), row.line]);
    }
  };
  nest('splits', 'splits.csv', origins.splitLines);
  nest('stageHistory', 'stage-history.csv', origins.stageLines);
  if (issues.length > 0) throw new InputError(dir, issues);

  return { document, dealCount: deals.length, locate: (issue) => locateIssue(issue, origins), cellIssues };
}

function locateIssue(issue: InputIssue, origins: Origins): InputIssue {
  const parts = splitPath(issue.path);
  if (!parts) return issue;
  const [array, index, ...rest] = parts;
  if (typeof array !== 'string') return issue;
  if ((TENANT_KEYS as readonly string[]).includes(array)) return { ...issue, path: `tenant.json: ${issue.path}` };
  const file = FILE_OF[array];
  if (!file) return issue;
  if (typeof index !== 'number') return { ...issue, path: file };
  const line = origins.rows.get(array)?.[index];
  if (line === undefined) return { ...issue, path: file };
  const with_ = (path: string, column: string | undefined): InputIssue => ({ ...issue, path, message: column ? `${column}: ${issue.message}` : issue.message });
  if (array === 'deals' && (rest[0] === 'splits' || rest[0] === 'stageHistory')) {
    const nested = (rest[0] === 'splits' ? origins.splitLines : origins.stageLines).get(index) ?? [];
    const nestedFile = rest[0] === 'splits' ? 'splits.csv' : 'stage-history.csv';
    if (typeof rest[1] === 'number' && nested[rest[1]] !== undefined) return with_(`${nestedFile} line ${nested[rest[1]]}`, rest.slice(2).join('.') || undefined);
    if (nested.length > 0) return with_(`${nestedFile} line${nested.length > 1 ? 's' : ''} ${nested.join(', ')}`, undefined);
    return with_(`deals.csv line ${line}`, String(rest[0]));
  }
  let column: string | undefined;
  if (rest[0] === 'properties' && rest[1] !== undefined) column = `property.${String(rest[1])}`;
  else if (rest[0] !== undefined) column = String(rest[0]);
  return with_(`${file} line ${line}`, column);
}

/** Reads and checks a CSV data directory; problems name the file and line. */
export function parseCsvDataset(dir: string, onCount?: (deals: number) => void): Dataset {
  const { document, dealCount, locate, cellIssues } = readCsvDocument(dir);
  onCount?.(dealCount);
  let schemaIssues: InputIssue[] = [];
  let dataset: Dataset | undefined;
  try {
    dataset = parseDataset(document, dir);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    schemaIssues = error.issues.map(locate);
  }
  const issues = [...cellIssues, ...schemaIssues];
  if (issues.length > 0 || !dataset) throw new InputError(dir, sortByFileAndLine(issues));
  return dataset;
}

/** In the order of the documented files, then by line, so a person can fix top to bottom. */
function sortByFileAndLine(issues: readonly InputIssue[]): InputIssue[] {
  const files = ['tenant.json', ...CSV_FILES.map((f) => f.file)];
  const key = (issue: InputIssue): [number, number] => {
    const m = /^([\w.-]+?)(?::| line (\d+)|$)/.exec(issue.path);
    const file = m ? files.indexOf(m[1]!) : -1;
    return [file < 0 ? files.length : file, m?.[2] ? Number(m[2]) : 0];
  };
  return issues
    .map((issue, i) => ({ issue, i, k: key(issue) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map((x) => x.issue);
}
