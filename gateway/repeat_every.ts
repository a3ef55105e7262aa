import type { Timers } from "./timers.ts";

/**
 * Runs `task` every `intervalMs` on the injected timers: the next run is
 * armed when the previous one has settled, so runs never overlap and a slow
 * one only delays the next. A failing task is the task's to report; the
 * loop goes on. Disposing stops it (a run in progress finishes, nothing is
 * armed after it).
 *
 * @param timers The timers (a `FakeTimers` in tests).
 * @param intervalMs The pause between the end of one run and the start of the next.
 * @param task The work; its rejection is ignored here.
 * @returns A handle that stops the loop.
 *
 * @example
 * ```ts
 * import { repeatEvery } from "./repeat_every.ts";
 * import { FakeTimers } from "../testing/fake_timers.ts";
 * const timers = new FakeTimers();
 * let runs = 0;
 * using _loop = repeatEvery(timers, 1_000, async () => void runs++);
 * timers.advance(1_000);
 * console.assert(runs === 1);
 * ```
 */
export function repeatEvery(
  timers: Timers,
  intervalMs: number,
  task: () => Promise<unknown>,
): Disposable {
  let stopped = false;
  let timer: number | undefined;
  const tick = () => {
    timer = undefined;
    task().catch(() => {}).finally(() => {
      if (!stopped) timer = timers.setTimeout(tick, intervalMs);
    });
  };
  timer = timers.setTimeout(tick, intervalMs);
  return {
    [Symbol.dispose]() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
