/**
 * The gateway's own work before its Bedrock call, as the gateway reports it
 * in the `gateway` entry of its `Server-Timing` header (from the request's
 * arrival to the signed Bedrock request going out). Unlike the added
 * latency, which subtracts two noisy end-to-end figures, it is not moved by
 * the emulator or the load generator waiting for a CPU. Pure.
 *
 * @module
 */
import { summarize, summarizeRounds } from "./percentiles.ts";

/** A round's median and p99 of the `gateway` timings, ms (`NaN` without any). */
export function ownWork(samples: number[]): { ownMedian: number; ownP99: number } {
  if (samples.length === 0) return { ownMedian: Number.NaN, ownP99: Number.NaN };
  const s = summarize(samples);
  return { ownMedian: s.median, ownP99: s.p99 };
}

/**
 * The note text: medians over the rounds.
 *
 * @example
 * ```ts
 * import { ownWorkNote } from "./own_work.ts";
 * console.assert(ownWorkNote([{ ownMedian: 1.2, ownP99: 2.5 }]).includes("1.20 / 2.50 ms"));
 * ```
 */
export function ownWorkNote(rounds: Record<string, number>[]): string {
  const measured = rounds.filter((r) => Number.isFinite(r.ownMedian));
  if (measured.length === 0) return "no Server-Timing from the gateway";
  const median = summarizeRounds(measured.map((r) => r.ownMedian!)).median;
  const p99 = summarizeRounds(measured.map((r) => r.ownP99!)).median;
  return `gateway's own work before Bedrock (its Server-Timing) median / p99 ${
    median.toFixed(2)
  } / ${p99.toFixed(2)} ms`;
}
