import type { JobRunner } from '../worker/src/runtime/job-runner.js';

const PENDING_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children', 'paused'];

/**
 * Jobs not yet finished, over every queue. `schedulers` is the number of job schedulers:
 * BullMQ holds each one's next run as a delayed job, which is not pending work.
 */
export async function pendingJobs(runner: JobRunner, schedulers = 0): Promise<number> {
  const counts = await runner.counts();
  let pending = 0;
  let delayed = 0;
  for (const states of Object.values(counts)) {
    for (const [state, n] of Object.entries(states)) {
      if (state === 'delayed') delayed += n;
      else if (PENDING_STATES.includes(state)) pending += n;
    }
  }
  return pending + Math.max(0, delayed - (runner.mode === 'bullmq' ? schedulers : 0));
}

/**
 * Resolves once no job is pending, seen twice in a row `settleMs` apart (a finishing job
 * may enqueue its follow-up just after the count was read). Used by the demo and the
 * end-to-end tests to know when a stage is done; the in-process runner answers at once.
 */
export async function jobsSettled(runner: JobRunner, options: { readonly timeoutMs?: number; readonly settleMs?: number; readonly schedulers?: () => Promise<number>; readonly onPoll?: (pending: number) => void } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const settleMs = options.settleMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  const idle = (runner as Partial<{ whenIdle(): Promise<void> }>).whenIdle?.bind(runner);
  let quietRounds = 0;
  while (quietRounds < 2) {
    const schedulers = (await options.schedulers?.()) ?? 0;
    if (Date.now() > deadline) throw new Error(`jobs did not finish within ${timeoutMs} ms (${await pendingJobs(runner, schedulers)} still pending: ${JSON.stringify(await runner.counts())})`);
    if (idle) await idle();
    const pending = await pendingJobs(runner, schedulers);
    options.onPoll?.(pending);
    quietRounds = pending === 0 ? quietRounds + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }
}
