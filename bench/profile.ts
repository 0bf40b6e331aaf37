import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareEngineInput, runEngine } from './engine.bench.js';

/**
 * CPU profile of the engine stage only (generation and parsing are not profiled). Run from
 * the repository root:
 *
 *   npx node --max-old-space-size=12288 --expose-gc --import tsx bench/profile.ts
 *   BENCH_REPS=10000 BENCH_DEALS=250000 npx node --import tsx bench/profile.ts
 *
 * Prints the functions with the most self and inclusive time, mapped back to the
 * TypeScript sources, and writes bench/results/engine.cpuprofile (open it in Chrome
 * DevTools → Performance, or VS Code). PROFILE_HEAP=1 also samples allocations (including
 * objects the GC already collected) and prints the top allocation sites.
 *
 * tsx emits each module on one line, so per-line ticks need an unminified bundle:
 *
 *   npx esbuild bench/profile.ts --bundle --platform=node --format=esm --sourcemap \
 *     --outfile=bench/results/profile.mjs \
 *     --banner:js="import{createRequire}from'module';const require=createRequire(import.meta.url);"
 *   npx node --enable-source-maps --max-old-space-size=12288 --expose-gc bench/results/profile.mjs
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface AllocationNode {
  callFrame: CallFrame;
  selfSize: number;
  children: AllocationNode[];
}

const root = process.cwd();
const resultsDir = join(root, 'bench', 'results');
const TOP = Number(process.env['PROFILE_TOP'] ?? 25);

/** "file.ts:line" in the original source (1-based), or the generated position when there is no source map. */
function where(url: string, line0: number, column0: number): string {
  if (!url) return '(native)';
  const map = url.startsWith('file:') ? findSourceMap(url) : undefined;
  const entry = map?.findEntry(line0, column0);
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const original = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return `${relative(root, original)}:${entry.originalLine + 1}`;
  }
  return `${relative(root, file)}:${line0 + 1}`;
}

function summarize(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map<number, string>();
  const key = (n: ProfileNode): string => {
    let k = keyOf.get(n.id);
    if (k === undefined) {
      const f = n.callFrame;
      k = `${f.functionName || '(anonymous)'}  ${where(f.url, f.lineNumber, f.columnNumber)}`;
      keyOf.set(n.id, k);
    }
    return k;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    let node = byId.get(profile.samples[i]!);
    if (!node) continue;
    self.set(key(node), (self.get(key(node)) ?? 0) + dt);
    const seen = new Set<string>();
    while (node) {
      const k = key(node);
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
      const p = parent.get(node.id);
      node = p === undefined ? undefined : byId.get(p);
    }
  }
  // Line-level ticks, mapped to the original source lines (only for JavaScript laid out in lines).
  const lines = new Map<string, number>();
  let lineTicks = 0;
  const generated = new Map<string, string[] | undefined>();
  for (const n of profile.nodes) {
    const url = n.callFrame.url;
    if (!url.startsWith('file:') || /\.[mc]?tsx?$/.test(url)) continue;
    if (!generated.has(url)) {
      const file = fileURLToPath(url);
      generated.set(url, existsSync(file) ? readFileSync(file, 'utf8').split('\n') : undefined);
    }
    const text = generated.get(url);
    for (const t of n.positionTicks ?? []) {
      const column = text?.[t.line - 1]?.search(/\S/) ?? 0;
      const k = `${where(url, t.line - 1, Math.max(0, column))}  (${n.callFrame.functionName || 'anonymous'})`;
      lines.set(k, (lines.get(k) ?? 0) + t.ticks);
      lineTicks += t.ticks;
    }
  }
  const pct = (ms: number): string => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>, filter: (k: string) => boolean = () => true): [string, number][] => [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, TOP);
  const out = [`Profiled engine time: ${(total / 1000).toFixed(2)} s (${profile.samples.length} samples)`, '', `Top ${TOP} by self time:`];
  for (const [k, ms] of top(self)) out.push(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}`);
  out.push('', `Top ${TOP} by inclusive time (project code):`);
  for (const [k, ms] of top(inclusive, (k) => k.includes('shared/src/'))) out.push(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}`);
  if (lineTicks > 0) {
    out.push('', `Top ${TOP} source lines (self ticks):`);
    for (const [k, ticks] of top(lines)) out.push(`  ${((100 * ticks) / lineTicks).toFixed(1).padStart(5)} %  ${k}`);
  } else out.push('', 'No per-line ticks (tsx puts each module on one line); see the esbuild recipe in bench/profile.ts.');
  return out.join('\n');
}

function summarizeAllocations(head: AllocationNode): string {
  const self = new Map<string, number>();
  // Bytes charged to the nearest project function on the stack (library and native allocations included).
  const byProject = new Map<string, number>();
  let total = 0;
  const stack: { node: AllocationNode; owner: string }[] = [{ node: head, owner: '(outside project code)' }];
  while (stack.length > 0) {
    const { node, owner: inherited } = stack.pop()!;
    const f = node.callFrame;
    const k = `${f.functionName || '(anonymous)'}  ${where(f.url, f.lineNumber, f.columnNumber)}`;
    const owner = f.url.includes('/shared/src/') || k.includes('shared/src/') ? k : inherited;
    self.set(k, (self.get(k) ?? 0) + node.selfSize);
    byProject.set(owner, (byProject.get(owner) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) stack.push({ node: child, owner });
  }
  const rows = (m: Map<string, number>): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, bytes]) => `  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${(bytes / 2 ** 20).toFixed(0).padStart(7)} MiB  ${k}`);
  return [
    `Allocated during the engine run (sampled, incl. collected objects): ${(total / 2 ** 30).toFixed(2)} GiB`,
    '',
    `Top ${TOP} allocation sites (self bytes):`,
    ...rows(self),
    '',
    `Top ${TOP} project functions by bytes allocated directly or in library/native code they call:`,
    ...rows(byProject),
  ].join('\n');
}

async function main(): Promise<void> {
  const log = (message: string): void => void process.stderr.write(`profile: ${message}\n`);
  const input = prepareEngineInput({ log });
  (globalThis as { gc?: () => void }).gc?.();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: Number(process.env['PROFILE_INTERVAL_US'] ?? 1000) });
  const heap = process.env['PROFILE_HEAP'] === '1';
  if (heap) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  }
  log(`profiling runStatements${heap ? ' (with allocation sampling)' : ''}`);
  await session.post('Profiler.start');
  const t = performance.now();
  const result = runEngine(input);
  const ms = performance.now() - t;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  const allocations = heap ? ((await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: AllocationNode } }).profile : undefined;
  session.disconnect();
  log(`engine ${(ms / 1000).toFixed(2)} s under the profiler; ${result.history.length} periods`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'engine.cpuprofile'), JSON.stringify(profile));
  process.stdout.write(`${summarize(profile)}\n\nFull profile: ${relative(root, join(resultsDir, 'engine.cpuprofile'))}\n`);
  if (allocations) {
    writeFileSync(join(resultsDir, 'engine.heapprofile'), JSON.stringify(allocations));
    process.stdout.write(`\n${summarizeAllocations(allocations.head)}\n\nAllocation profile: ${relative(root, join(resultsDir, 'engine.heapprofile'))}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
