import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseIsoDate, type IsoDate } from '../shared/src/time/iso-date.js';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};

export const COMMAND_OPTIONS = {
  calc: {
    plan: { type: 'string', multiple: true },
    data: { type: 'string' },
    period: { type: 'string' },
    'as-of': { type: 'string' },
    locked: { type: 'string', multiple: true },
    payee: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    strict: { type: 'boolean' },
    width: { type: 'string' },
  },
  estimate: {
    plan: { type: 'string', multiple: true },
    data: { type: 'string' },
    payee: { type: 'string' },
    deal: { type: 'string', multiple: true },
    'as-of': { type: 'string' },
    locked: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    width: { type: 'string' },
  },
  diff: {
    before: { type: 'string' },
    after: { type: 'string' },
    json: { type: 'boolean' },
    width: { type: 'string' },
  },
  validate: {
    plan: { type: 'string', multiple: true },
    data: { type: 'string' },
    period: { type: 'string' },
    'as-of': { type: 'string' },
  },
  start: {
    once: { type: 'boolean' },
    demo: { type: 'boolean' },
    seed: { type: 'string' },
    reps: { type: 'string' },
    deals: { type: 'string' },
  },
  serve: {},
  worker: {},
} as const satisfies Record<string, Options>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export function parseCommandArgs(command: CommandName, argv: readonly string[]): ParsedValues {
  try {
    const options: Options = { ...COMMON, ...COMMAND_OPTIONS[command] };
    const { values, tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
    // parseArgs keeps the last of a repeated single-value option; two --period values are a mistake, not a choice.
    const seen = new Set<string>();
    for (const token of tokens ?? []) {
      if (token.kind !== 'option' || options[token.name]?.multiple || options[token.name]?.type === 'boolean') continue;
      if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`, command);
      seen.add(token.name);
    }
    return values as ParsedValues;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // node:util's wording, minus its advice to use "--" (plan files never start with a dash).
    throw new UsageError(message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/^Unexpected argument/, 'unexpected argument'), command);
  }
}

export function requireString(values: ParsedValues, name: string, command: CommandName): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`, command);
  return v;
}

export function requireList(values: ParsedValues, name: string, command: CommandName): string[] {
  const v = values[name];
  if (!Array.isArray(v) || v.length === 0) throw new UsageError(`--${name} is required (give it once per file or directory)`, command);
  return v;
}

export function list(values: ParsedValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : [];
}

export function optionalDate(values: ParsedValues, name: string, command: CommandName): IsoDate | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const date = typeof v === 'string' ? parseIsoDate(v.trim()) : undefined;
  if (!date) throw new UsageError(`--${name} "${String(v)}" is not a date; write it as YYYY-MM-DD, e.g. 2026-09-30`, command);
  return date;
}

export function width(values: ParsedValues, fallback: number | undefined, command: CommandName): number {
  const v = values['width'];
  if (v === undefined) return Math.max(60, Math.min(fallback ?? 100, 160));
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 40) throw new UsageError(`--width "${String(v)}" must be a whole number of columns, at least 40`, command);
  return Number(v);
}

export const USAGE: Record<CommandName | 'main', string> = {
  main: `spm — sales performance management: commission statements from plan files and CRM data

Usage:
  spm calc     --plan <file|dir> [--plan ...] --data <file.json|csv-dir> --period <id> [options]
  spm estimate --plan <file|dir> --data <file.json|csv-dir> --payee <user> [--deal <id> ...] [options]
  spm diff     --before <calc.json> --after <calc.json>
  spm validate --plan <file|dir> [--data <file.json|csv-dir>] [--period <id>]

Run "spm <command> --help" for a command's options. Docs: docs/cli.md, docs/plans.md, docs/data-format.md.
Exit codes: 0 ok, 1 unexpected failure (a bug; --debug shows the stack), 2 invalid input or usage,
3 records the engine refused to pay on (only with calc --strict or validate --period).
`,
  calc: `spm calc — compute commission statements for a period

Usage: spm calc --plan <file|dir> [--plan ...] --data <file.json|csv-dir> --period <id> [options]

  --plan <path>      a plan file (.yaml, .yml, .json) or a directory of them; repeatable
  --data <path>      the tenant's data: a JSON file, or a directory of CSV files (docs/data-format.md)
  --period <id>      2026-Q3, 2026-07, 2026, 2026-W27 or a custom period id. Plans that pay by a
                     shorter period that tiles it are computed too (monthly plans for each month
                     of a quarter); plans that pay by a longer period are listed as skipped
  --as-of <date>     what the engine may know: records dated later are ignored
                     (default: the last day of the period, so results are reproducible)
  --locked <file>    approved statements (an earlier "spm calc --json" output); they are never
                     rewritten, changes since become adjustment lines; repeatable
  --payee <user>     only these payees; repeatable
  --json             print { period, asOf, statements, exceptions } as JSON (decimal strings)
  --strict           exit 3 when the engine refused to pay on some record (see "exceptions")
  --width <n>        wrap explanations at n columns (default: the terminal's, or 100)
  --debug            print the stack trace of unexpected failures
`,
  estimate: `spm estimate — what open deals would pay a payee if they closed won on their expected dates

Usage: spm estimate --plan <file|dir> --data <file.json|csv-dir> --payee <user> [--deal <id> ...] [options]

  --payee <user>     whose pay to estimate (required)
  --deal <id>        an open deal to estimate; repeatable (default: every open deal that credits the payee)
  --as-of <date>     what the engine may know (default: the latest close date of a closed deal
                     or completed activity in the data, so results are reproducible)
  --locked <file>    approved statements, as for calc; repeatable
  --json             print the estimates as JSON
  --width <n>        wrap explanations at n columns

Deals are taken in order of expected close date (then id); each estimate assumes the deals
listed before it closed too, so the estimates add up to the combined outcome.
`,
  diff: `spm diff — what changed between two "spm calc --json" outputs, and why

Usage: spm diff --before <calc.json> --after <calc.json> [--json] [--width <n>]

Lines are matched by their stable keys; each change is classified by which input moved it
(deal added, removed or edited, plan or quota changed, FX, attainment shift, clawback, draw, netting).
`,
  validate: `spm validate — check plan files (and data) without computing statements

Usage: spm validate --plan <file|dir> [--plan ...] [--data <file.json|csv-dir>] [--period <id> [--as-of <date>]]

  --data <path>      also check the data, and the plans against it (unknown payees, pipelines)
  --period <id>      also run the engine for the period and report records it would refuse to
                     pay on (missing quotas or FX rates, revenue splits not totalling 100 %): exit 3
`,
  start: `spm start — run the whole app in one process

Usage: spm start [--once] [--demo] [--seed <n>] [--reps <n>] [--deals <n>]

With no configuration (none of DATABASE_URL, REDIS_URL, HUBSPOT_CLIENT_ID, SALESFORCE_CLIENT_ID,
TOKEN_ENCRYPTION_KEY, SESSION_SECRET set) this is the local demo: a HubSpot and a Salesforce
sandbox seeded with a demo company, the app installed into both through OAuth, synced, paid and
coached on an in-memory database, then the admin console and a card preview page are served.
With configuration it runs the API and the worker against the configured services
(docs/deploy.md lists every variable).

  --once             exit 0 after the start-up summary instead of serving
  --demo             the demo even if some variables are set (they are ignored, except PORT, HOST, LOG_LEVEL)
  --seed <n>         demo company seed (default 7)
  --reps <n>         demo reps (default 20)
  --deals <n>        demo deals (default 2000)
`,
  serve: `spm serve — the HTTP API: card API, admin API and console, CRM install routes and webhooks

Usage: spm serve

Needs DATABASE_URL, REDIS_URL, TOKEN_ENCRYPTION_KEY, SESSION_SECRET and at least one CRM's app
credentials (docs/deploy.md). Health: GET /healthz (alive), GET /readyz (database reachable).
SIGTERM or SIGINT: stops taking requests, finishes running ones, exits 0.
`,
  worker: `spm worker — the job worker: CRM syncs, statements, KPIs, coaching, CRM write-back

Usage: spm worker

Needs DATABASE_URL, REDIS_URL, TOKEN_ENCRYPTION_KEY and the CRM app credentials (docs/deploy.md).
Run as many as you need on any number of machines. /metrics and /healthz on METRICS_PORT (9464).
SIGTERM or SIGINT: takes no new jobs, lets running ones finish (SHUTDOWN_TIMEOUT_MS), exits 0.
`,
};
