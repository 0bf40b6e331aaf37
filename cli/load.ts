import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { Dataset } from '../shared/src/domain/dataset.js';
import type { LockedPeriod } from '../shared/src/engine/run.js';
import type { Statement } from '../shared/src/engine/statement.js';
import { parseLockedLedger } from '../shared/src/engine/statement-json.js';
import { parseDataset } from '../shared/src/input/dataset.schema.js';
import { InputError } from '../shared/src/input/input-error.js';
import { checkPlansAgainstData, parsePlanText } from '../shared/src/plan/plan-document.js';
import type { Plan } from '../shared/src/plan/plan.js';
import type { PeriodId } from '../shared/src/time/period.js';
import { parseCsvDataset } from './csv-data.js';
import { fileError, InputProblems, type Progress } from './io.js';
import { jsonSyntaxError, withSourceLines } from './source-lines.js';

const PLAN_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Resolves a path the user typed, and the way to name it back to them. */
export function userPath(cwd: string, path: string): { abs: string; shown: string } {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return { abs, shown: rel === '' ? '.' : rel.startsWith('..') ? abs : rel };
}

function readText(abs: string, shown: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (error) {
    throw fileError(shown, error);
  }
}

export interface LoadedPlan {
  readonly plan: Plan;
  readonly file: string;
}

/**
 * Every plan in the given files and directories (a directory means each .yaml, .yml and
 * .json file directly in it, in name order). All files are read before anything is
 * reported, so one run lists every broken plan.
 */
export function loadPlans(cwd: string, paths: readonly string[]): LoadedPlan[] {
  const errors: InputError[] = [];
  const files: { abs: string; shown: string }[] = [];
  for (const path of paths) {
    const p = userPath(cwd, path);
    let isDir = false;
    try {
      isDir = statSync(p.abs).isDirectory();
    } catch (error) {
      errors.push(fileError(p.shown, error));
      continue;
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const entries = readdirSync(p.abs).filter((name) => PLAN_EXTENSIONS.has(extname(name).toLowerCase())).sort();
    if (entries.length === 0) {
      errors.push(new InputError(p.shown, [{ path: '', message: `no plan files (.yaml, .yml, .json) in directory ${p.shown}`, fix: 'point --plan at a plan file, or at a directory that holds some' }]));
    }
    for (const name of entries) files.push(userPath(cwd, join(path, name)));
  }
  const loaded: LoadedPlan[] = [];
  for (const file of files) {
    try {
      const text = readText(file.abs, file.shown);
      try {
        loaded.push({ plan: parsePlanText(text, file.shown), file: file.shown });
      } catch (error) {
        if (error instanceof InputError) throw withSourceLines(error, text);
        throw error;
      }
    } catch (error) {
      if (error instanceof InputError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length > 0) throw new InputProblems(errors);
  return loaded;
}

/** Duplicate plan id + version across files, which the engine would silently pick between. */
export function checkPlanVersions(plans: readonly LoadedPlan[]): void {
  const seen = new Map<string, string>();
  const errors: InputError[] = [];
  for (const { plan, file } of plans) {
    const key = `${plan.id}@${plan.version}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push(new InputError(file, [{ path: 'version', message: `plan ${plan.id} version ${plan.version} is also defined in ${first}`, fix: 'give the newer document a higher version, or load only one of the files' }]));
    } else seen.set(key, file);
  }
  if (errors.length > 0) throw new InputProblems(errors);
}

/** Plans against the tenant's data: unknown payees and pipelines, reported per file. */
export function checkPlansData(plans: readonly LoadedPlan[], data: Dataset): void {
  checkPlanVersions(plans);
  const errors: InputError[] = [];
  for (const { plan, file } of plans) {
    try {
      checkPlansAgainstData([plan], data);
    } catch (error) {
      if (error instanceof InputError) errors.push(new InputError(`${file} (plan ${plan.id} v${plan.version})`, error.issues));
      else throw error;
    }
  }
  if (errors.length > 0) throw new InputProblems(errors);
}

/** The data file (JSON) or directory (CSV), checked by the one dataset schema. */
export function loadData(cwd: string, path: string, progress: Progress): Dataset {
  const p = userPath(cwd, path);
  let isDir: boolean;
  let size = 0;
  try {
    const st = statSync(p.abs);
    isDir = st.isDirectory();
    size = st.size;
  } catch (error) {
    throw fileError(p.shown, error);
  }
  if (isDir) {
    progress.step(`reading CSV data in ${p.shown}`);
    return parseCsvDataset(p.abs, (deals) => {
      progress.arm(deals > 50_000);
      progress.step(`checking ${deals.toLocaleString('en-US')} deals`);
    }) as Dataset;
  }
  progress.arm(size > 25_000_000);
  progress.step(`reading ${p.shown}`);
  const text = readText(p.abs, p.shown);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(p.shown, text, error as SyntaxError);
  }
  const deals = (document as { deals?: unknown } | null)?.deals;
  const count = Array.isArray(deals) ? deals.length : 0;
  progress.arm(count > 50_000);
  progress.step(`checking ${count.toLocaleString('en-US')} deals`);
  try {
    return parseDataset(document, p.shown);
  } catch (error) {
    if (error instanceof InputError) throw withSourceLines(error, text);
    throw error;
  }
}

/**
 * Locked periods from `--locked` files (a `spm calc --json` output or a `{ "locked": [...] }`
 * ledger). A calc output can hold several periods (a quarter and the months of a monthly
 * plan), so statements are grouped by their own period, not the document's.
 */
export function loadLocked(cwd: string, paths: readonly string[]): LockedPeriod[] {
  const byPeriod = new Map<string, Map<string, { statement: Statement; file: string }>>();
  const errors: InputError[] = [];
  for (const path of paths) {
    const p = userPath(cwd, path);
    try {
      const text = readText(p.abs, p.shown);
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (error) {
        throw jsonSyntaxError(p.shown, text, error as SyntaxError);
      }
      let periods: LockedPeriod[];
      try {
        periods = parseLockedLedger(document, p.shown);
      } catch (error) {
        if (error instanceof InputError) throw withSourceLines(error, text);
        throw error;
      }
      const issues: InputError['issues'][number][] = [];
      for (const locked of periods) {
        // A period locked with nobody paid in it is still locked.
        if (locked.statements.length === 0 && !byPeriod.has(locked.period)) byPeriod.set(locked.period, new Map());
        for (const statement of locked.statements) {
          const id = statement.period.id as string;
          const statements = byPeriod.get(id) ?? new Map<string, { statement: Statement; file: string }>();
          const previous = statements.get(statement.payeeId);
          if (previous) {
            issues.push({ path: `statements (${statement.payeeId}, ${id})`, message: `${id} for ${statement.payeeId} is already locked by ${previous.file}`, fix: 'pass each locked period once' });
            continue;
          }
          statements.set(statement.payeeId, { statement, file: p.shown });
          byPeriod.set(id, statements);
        }
      }
      if (issues.length > 0) throw new InputError(p.shown, issues);
    } catch (error) {
      if (error instanceof InputError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length > 0) throw new InputProblems(errors);
  return [...byPeriod].map(([period, statements]) => ({ period: period as PeriodId, statements: [...statements.values()].map((s) => s.statement) }));
}

/** Statements from a `spm calc --json` output (for `spm diff`). */
export function loadStatements(cwd: string, path: string): Statement[] {
  return loadLocked(cwd, [path]).flatMap((l) => l.statements);
}
