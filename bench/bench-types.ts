/** What every `bench/*.bench.ts` exports as `bench`, and what `bench/run.ts` prints and saves. */
export interface BenchDefinition {
  readonly name: string;
  readonly description: string;
  /** `log` writes a progress line to stderr. */
  run(log: (message: string) => void): Promise<BenchReport>;
}

export interface BenchMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface BenchTarget {
  readonly name: string;
  /** The target, as people read it ("< 10 s"). */
  readonly target: string;
  readonly actual: string;
  readonly met: boolean;
  /** How far off, when not met ("4.2× too slow: 32.1 s over"). */
  readonly gap: string | undefined;
}

export interface BenchReport {
  readonly name: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly metrics: readonly BenchMetric[];
  readonly targets: readonly BenchTarget[];
  readonly notes: readonly string[];
}
