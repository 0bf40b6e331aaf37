import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchDefinition, BenchReport } from './bench-types.js';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (each exports `bench`), prints a table
 * per bench on stdout, progress on stderr, and writes one report of them all as
 * bench/results/latest.json and a readable bench/results/latest.md.
 * BENCH_ONLY=name runs one bench; BENCH_STRICT=1 exits 1 when a target is missed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();

function progress(bench: string): (message: string) => void {
  return (message) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${bench}: ${message}\n`);
}

function formatValue(value: number, unit: string): string {
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
  if (unit === '×') return `${value.toFixed(1)}×`;
  const text = Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
  return unit === '' ? text : `${text} ${unit}`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function render(report: BenchReport): string {
  const params = Object.entries(report.params).map(([k, v]) => `${k}=${typeof v === 'number' && v >= 10_000 ? v.toLocaleString('en-US') : v}`).join(', ');
  const out = [`## ${report.name} (${params})`, '', table(['metric', 'value'], report.metrics.map((m) => [m.name, formatValue(m.value, m.unit)]))];
  if (report.targets.length > 0) {
    out.push('', table(['target', 'goal', 'actual', 'status'], report.targets.map((t) => [t.name, t.target, t.actual, t.met ? 'MET' : `NOT MET: ${t.gap ?? ''}`])));
  }
  for (const note of report.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !only || f === `${only}.bench.ts`)
    .sort();
  if (files.length === 0) throw new Error(only ? `no bench/${only}.bench.ts` : 'no bench/*.bench.ts files');

  const reports: BenchReport[] = [];
  const rendered: string[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as { bench?: BenchDefinition };
    if (!module.bench) throw new Error(`bench/${file} does not export "bench"`);
    const log = progress(module.bench.name);
    log(`start: ${module.bench.description}`);
    const report = await module.bench.run(log);
    reports.push(report);
    const text = render(report);
    rendered.push(text);
    process.stdout.write(`${text}\n\n`);
  }

  const cpu = cpus();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    maxOldSpaceSizeMiB: Number(/--max-old-space-size=(\d+)/.exec([...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' '))?.[1] ?? Number.NaN) || null,
    benches: reports,
  };
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  const summary = table(
    ['bench', 'target', 'goal', 'actual', 'status'],
    reports.flatMap((r) => r.targets.map((t) => [r.name, t.name, t.target, t.actual, t.met ? 'MET' : `NOT MET: ${t.gap ?? ''}`])),
  );
  const machine = `${results.date}, Node ${results.node}, ${results.platform}, ${results.cpu.cores} × ${results.cpu.model}, ${results.totalMemoryMiB} MiB`;
  writeFileSync(join(dir, 'latest.md'), `# Benchmark report\n\n${machine}\n\n## Targets\n\n${summary}\n\n${rendered.join('\n\n')}\n`);
  process.stderr.write(`results written to ${path} and ${join(dir, 'latest.md')}\n`);
  const missed = reports.flatMap((r) => r.targets.filter((t) => !t.met).map((t) => `${r.name}: ${t.name}`));
  if (missed.length > 0) process.stderr.write(`targets not met: ${missed.join('; ')}\n`);
  if (missed.length > 0 && process.env['BENCH_STRICT'] === '1') process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
