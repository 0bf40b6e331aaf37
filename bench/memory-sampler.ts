import { Worker } from 'node:worker_threads';

/**
 * Peak resident memory of the whole process, sampled every `intervalMs` by a timer.
 *
 * The timer runs in a worker thread: the work being measured (generation, parsing, the
 * engine) is one long synchronous call on the main thread, during which a main-thread
 * timer would never fire. RSS is per process, so the worker sees the main thread's
 * memory. Samples are attributed to the stage the main thread last announced.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let stage = 'start';
let peak = 0;
const peaks = {};
let samples = 0;
function sample() {
  const rss = process.memoryUsage.rss();
  samples++;
  if (rss > peak) peak = rss;
  if (!(stage in peaks) || rss > peaks[stage]) peaks[stage] = rss;
}
sample();
const timer = setInterval(sample, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'stage') {
    sample();
    stage = message.stage;
    sample();
  } else if (message.type === 'stop') {
    sample();
    clearInterval(timer);
    parentPort.postMessage({ peak, peaks, samples });
    parentPort.close();
  }
});
`;

export interface MemoryReport {
  /** Highest RSS seen, in bytes (timer samples and the final sample). */
  readonly peakRss: number;
  /** Highest RSS per stage, in bytes. */
  readonly peakRssByStage: Readonly<Record<string, number>>;
  readonly samples: number;
  /** The kernel's high-water mark for the process (getrusage maxrss), in bytes. */
  readonly maxRssOs: number;
}

export class MemorySampler {
  private readonly worker: Worker;
  private readonly result: Promise<{ peak: number; peaks: Record<string, number>; samples: number }>;

  constructor(intervalMs = 50) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { intervalMs } });
    this.result = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
  }

  /** Attributes the samples from now on to `name`. */
  stage(name: string): void {
    this.worker.postMessage({ type: 'stage', stage: name });
  }

  async stop(): Promise<MemoryReport> {
    const final = process.memoryUsage().rss;
    this.worker.postMessage({ type: 'stop' });
    const { peak, peaks, samples } = await this.result;
    await this.worker.terminate();
    return { peakRss: Math.max(peak, final), peakRssByStage: peaks, samples: samples + 1, maxRssOs: process.resourceUsage().maxRSS * 1024 };
  }
}

export const MIB = 1024 * 1024;
