import { availableParallelism, loadavg } from 'node:os';
import type { Dataset } from '../shared/src/domain/dataset.js';
import type { Deal } from '../shared/src/domain/deals.js';
import { runStatements, type RunResult } from '../shared/src/engine/run.js';
import { parseDataset } from '../shared/src/input/dataset.schema.js';
import { ZERO, type Decimal } from '../shared/src/money/decimal.js';
import type { Plan } from '../shared/src/plan/plan.js';
import { parsePlan } from '../shared/src/plan/plan.schema.js';
import { generatePlans, generateTenant } from '../shared/src/synthetic/index.js';
import type { IsoDate } from '../shared/src/time/iso-date.js';
import type { PeriodId } from '../shared/src/time/period.js';
import type { BenchDefinition, BenchReport, BenchTarget } from './bench-types.js';
import { MemorySampler, MIB, type MemoryReport } from './memory-sampler.js';

/**
 * The engine benchmark: a full-year recompute of a synthetic tenant (defaults 10,000 reps,
 * 1,000,000 deals; BENCH_REPS / BENCH_DEALS / BENCH_SEED / BENCH_YEAR override), against a
 * baseline that only sums deal amounts per owner with the same Decimal type, run in the same
 * process.
 *
 * Both are timed several times, interleaved (baseline passes before each engine run and after
 * the last; BENCH_ENGINE_RUNS, default 2, engine runs), and each is reported as its fastest
 * run: on a shared virtual machine other tenants only ever add time (a single baseline pass
 * has been seen to take anywhere from 0.47 to 1.2 s within one run), so the fastest run is the
 * best estimate of each one's own cost. The baseline gets more passes than the engine, which
 * can only make the ratio look worse, not better. Both are then timed in a warm process (code
 * compiled, heap grown), as a worker recomputing all day is; the first engine run, in a cold
 * process, is reported beside it (it has been 20-25 % slower).
 *
 * Targets (from the performance issue): a full recompute under 10 s on the 2-core bench
 * machine, and within 10× of the baseline.
 */
export const TARGET_ENGINE_SECONDS = 10;
export const TARGET_RATIO = 10;
/** Baseline passes before each engine run and after the last. */
const BASELINE_RUNS = 3;

export interface EngineBenchOptions {
  readonly reps?: number;
  readonly deals?: number;
  readonly seed?: number;
  readonly year?: number;
  readonly log?: (message: string) => void;
}

export interface EngineInput {
  readonly reps: number;
  readonly deals: number;
  readonly seed: number;
  readonly year: number;
  readonly data: Dataset;
  readonly plans: readonly Plan[];
  readonly period: PeriodId;
  readonly asOf: IsoDate;
  readonly generateMs: number;
  readonly parseMs: number;
}

export interface EngineBenchResult {
  readonly reps: number;
  readonly deals: number;
  readonly seed: number;
  readonly year: number;
  readonly generateMs: number;
  readonly parseMs: number;
  /** The fastest baseline pass. */
  readonly baselineMs: number;
  readonly baselineRunsMs: readonly number[];
  /** The fastest engine run (a later run is warmer: compiled code and a grown heap; see engineRunsMs[0] for the first). */
  readonly engineMs: number;
  readonly engineRunsMs: readonly number[];
  /** CPU time of the whole process (main thread and GC helpers) during the fastest engine run. */
  readonly engineCpuMs: number;
  /** 1-minute load average before and after the engine run: above ~2 on the 2-core bench machine means other work competed. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly dealsPerSecond: number;
  /** engine / baseline. */
  readonly ratio: number;
  readonly periods: number;
  readonly statements: number;
  readonly lines: number;
  readonly finalPeriodStatements: number;
  readonly finalPeriodLines: number;
  readonly exceptions: number;
  readonly memory: MemoryReport;
  /** RSS when the engine started (data parsed, raw document released). */
  readonly rssBeforeEngine: number;
  readonly targets: readonly BenchTarget[];
}

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got "${text}"`);
  return value;
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Generates and parses the tenant and its plans; what both the benchmark and the profiler start from. */
export function prepareEngineInput(options: EngineBenchOptions = {}, sampler?: MemorySampler): EngineInput {
  const reps = options.reps ?? envInt('BENCH_REPS', 10_000);
  const deals = options.deals ?? envInt('BENCH_DEALS', 1_000_000);
  const seed = options.seed ?? envInt('BENCH_SEED', 1);
  const year = options.year ?? envInt('BENCH_YEAR', 2026);
  const log = options.log ?? ((): void => {});

  log(`generating ${reps.toLocaleString('en-US')} reps / ${deals.toLocaleString('en-US')} deals (seed ${seed}, ${year})`);
  sampler?.stage('generate');
  let t = performance.now();
  let doc: ReturnType<typeof generateTenant> | undefined = generateTenant({ seed, reps, deals, year });
  const rawPlans = generatePlans(doc, year);
  const generateMs = performance.now() - t;
  log(`generated in ${seconds(generateMs)}; parsing`);

  sampler?.stage('parse');
  t = performance.now();
  const data = parseDataset(doc, 'synthetic tenant');
  const parseMs = performance.now() - t;
  doc = undefined;
  const plans = rawPlans.map((p, i) => parsePlan(p, `synthetic plan ${i}`));
  log(`parsed in ${seconds(parseMs)}`);
  return { reps, deals, seed, year, data, plans, period: `${year}-Q4` as PeriodId, asOf: `${year}-12-31` as IsoDate, generateMs, parseMs };
}

/** The yardstick: one pass over the same parsed deals, summing amounts per owner with the same Decimal type. */
export function baselineSum(deals: readonly Deal[]): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const deal of deals) {
    const total = totals.get(deal.ownerId);
    totals.set(deal.ownerId, total === undefined ? deal.amount : total.plus(deal.amount));
  }
  return totals;
}

function countResult(result: RunResult): Pick<EngineBenchResult, 'periods' | 'statements' | 'lines' | 'finalPeriodStatements' | 'finalPeriodLines' | 'exceptions'> {
  let statements = 0;
  let lines = 0;
  for (const period of result.history) {
    statements += period.statements.length;
    for (const s of period.statements) lines += s.lines.length;
  }
  let finalPeriodLines = 0;
  for (const s of result.statements) finalPeriodLines += s.lines.length;
  return { periods: result.history.length, statements, lines, finalPeriodStatements: result.statements.length, finalPeriodLines, exceptions: result.exceptions.length };
}

/** Runs the engine over the year ('<year>-Q4' walks Q1..Q4, so every deal is visited). */
export function runEngine(input: EngineInput): RunResult {
  return runStatements({ plans: input.plans, data: input.data, period: input.period, asOf: input.asOf });
}

export async function benchEngine(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const log = options.log ?? ((): void => {});
  const sampler = new MemorySampler(50);
  const input = prepareEngineInput(options, sampler);
  // The raw document and parsing garbage are collected before the engine starts, not inside it.
  collect();

  let rssBeforeEngine = 0;
  const engineRuns = Math.max(1, envInt('BENCH_ENGINE_RUNS', 2));
  const baselineRunsMs: number[] = [];
  let checksum: Decimal | undefined;
  const baseline = (): void => {
    sampler.stage('baseline');
    for (let run = 0; run < BASELINE_RUNS; run++) {
      const t = performance.now();
      const totals = baselineSum(input.data.deals);
      baselineRunsMs.push(performance.now() - t);
      if (checksum === undefined) {
        checksum = ZERO;
        for (const total of totals.values()) checksum = checksum.plus(total);
      }
    }
    // Its garbage is collected here, not inside the engine's timed call.
    collect();
  };

  const engineRunsMs: number[] = [];
  let engineCpuMs = Infinity;
  let loadBefore = 0;
  let loadAfter = 0;
  let counted: Pick<EngineBenchResult, 'periods' | 'statements' | 'lines' | 'finalPeriodStatements' | 'finalPeriodLines' | 'exceptions'> | undefined;
  for (let run = 0; run < engineRuns; run++) {
    baseline();
    log(`running runStatements ${input.period} (Q1..Q4) for ${input.plans.length} plans (run ${run + 1} of ${engineRuns})`);
    if (run === 0) rssBeforeEngine = process.memoryUsage().rss;
    sampler.stage('engine');
    const load = loadavg()[0]!;
    const cpu = process.cpuUsage();
    const t = performance.now();
    let result: RunResult | undefined = runEngine(input);
    const ms = performance.now() - t;
    const cpuUsed = process.cpuUsage(cpu);
    if (engineRunsMs.every((other) => ms < other)) {
      engineCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
      loadBefore = load;
      loadAfter = loadavg()[0]!;
    }
    engineRunsMs.push(ms);
    sampler.stage('count');
    const count = countResult(result);
    result = undefined;
    // The same data gives the same statements every time: a run that differs is a defect, not noise.
    if (counted && JSON.stringify(count) !== JSON.stringify(counted)) throw new Error(`engine run ${run + 1} gave ${JSON.stringify(count)}, run 1 gave ${JSON.stringify(counted)}`);
    counted ??= count;
    log(`engine run ${run + 1} in ${seconds(ms)}: ${counted.statements.toLocaleString('en-US')} statements, ${counted.lines.toLocaleString('en-US')} lines, ${counted.exceptions} exceptions`);
    // The result it leaves (and the full collection that clears it) never lands inside another timed call.
    collect();
  }
  baseline();
  const engineMs = Math.min(...engineRunsMs);
  const baselineMs = Math.min(...baselineRunsMs);
  log(`baseline (sum of amounts per owner, fastest of ${baselineRunsMs.length}): ${seconds(baselineMs)}; checksum ${checksum!.toFixed(2)}`);
  const memory = await sampler.stop();
  const { periods, statements, lines, finalPeriodStatements, finalPeriodLines, exceptions } = counted!;

  const engineSeconds = engineMs / 1000;
  const ratio = engineMs / baselineMs;
  const targets: BenchTarget[] = [
    {
      name: 'full recompute time',
      target: `< ${TARGET_ENGINE_SECONDS} s`,
      actual: seconds(engineMs),
      met: engineSeconds < TARGET_ENGINE_SECONDS,
      gap: engineSeconds < TARGET_ENGINE_SECONDS ? undefined : `${(engineSeconds / TARGET_ENGINE_SECONDS).toFixed(1)}× over (${(engineSeconds - TARGET_ENGINE_SECONDS).toFixed(1)} s too slow)`,
    },
    {
      name: 'engine / baseline',
      target: `≤ ${TARGET_RATIO}×`,
      actual: `${ratio.toFixed(1)}×`,
      met: ratio <= TARGET_RATIO,
      gap: ratio <= TARGET_RATIO ? undefined : `needs ${(ratio / TARGET_RATIO).toFixed(1)}× faster (engine ≤ ${seconds(baselineMs * TARGET_RATIO)})`,
    },
  ];
  return {
    reps: input.reps,
    deals: input.deals,
    seed: input.seed,
    year: input.year,
    generateMs: input.generateMs,
    parseMs: input.parseMs,
    baselineMs,
    baselineRunsMs,
    engineMs,
    engineRunsMs,
    engineCpuMs,
    loadBefore,
    loadAfter,
    dealsPerSecond: input.deals / engineSeconds,
    ratio,
    periods,
    statements,
    lines,
    finalPeriodStatements,
    finalPeriodLines,
    exceptions,
    memory,
    rssBeforeEngine,
    targets,
  };
}

export function engineReport(r: EngineBenchResult): BenchReport {
  const mib = (bytes: number): number => Math.round(bytes / MIB);
  return {
    name: 'engine',
    params: { reps: r.reps, deals: r.deals, seed: r.seed, year: r.year, period: `${r.year}-Q1..Q4` },
    metrics: [
      { name: 'deals / second (engine)', value: Math.round(r.dealsPerSecond), unit: 'deals/s' },
      { name: 'engine (runStatements, 4 quarters; fastest run)', value: r.engineMs, unit: 'ms' },
      { name: 'engine, first run (cold process)', value: r.engineRunsMs[0]!, unit: 'ms' },
      { name: 'engine CPU time (all threads)', value: r.engineCpuMs, unit: 'ms' },
      { name: 'baseline (sum per owner; fastest pass)', value: r.baselineMs, unit: 'ms' },
      { name: 'ratio engine / baseline', value: r.ratio, unit: '×' },
      { name: 'generate tenant', value: r.generateMs, unit: 'ms' },
      { name: 'parseDataset', value: r.parseMs, unit: 'ms' },
      { name: 'peak RSS (50 ms samples)', value: mib(r.memory.peakRss), unit: 'MiB' },
      { name: 'peak RSS during engine', value: mib(r.memory.peakRssByStage['engine'] ?? 0), unit: 'MiB' },
      { name: 'RSS when engine started', value: mib(r.rssBeforeEngine), unit: 'MiB' },
      { name: 'peak RSS (OS maxrss)', value: mib(r.memory.maxRssOs), unit: 'MiB' },
      { name: 'statements (all periods)', value: r.statements, unit: '' },
      { name: 'lines (all periods)', value: r.lines, unit: '' },
      { name: 'statements (Q4)', value: r.finalPeriodStatements, unit: '' },
      { name: 'lines (Q4)', value: r.finalPeriodLines, unit: '' },
      { name: 'engine exceptions', value: r.exceptions, unit: '' },
    ],
    targets: r.targets,
    notes: [
      `load average (1 min) before/after the engine: ${r.loadBefore.toFixed(2)} / ${r.loadAfter.toFixed(2)} on ${availableParallelism()} cores${r.loadAfter > availableParallelism() + 0.5 ? ' (other work competed for CPU: timings are pessimistic)' : ''}`,
      `engine runs: ${r.engineRunsMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; baseline passes: ${r.baselineRunsMs.map((ms) => ms.toFixed(0)).join(', ')} ms (the fastest of each is reported)`,
      `memory: ${r.memory.samples} samples; per stage peak ${Object.entries(r.memory.peakRssByStage).map(([stage, bytes]) => `${stage} ${mib(bytes)} MiB`).join(', ')}`,
    ],
  };
}

export const bench: BenchDefinition = {
  name: 'engine',
  description: 'Full-year statement recompute of a synthetic tenant vs. a Decimal sum baseline',
  run: async (log) => engineReport(await benchEngine({ log })),
};
