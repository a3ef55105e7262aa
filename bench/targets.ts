/**
 * The targets of issue 8 as data, and the pure pass/miss verdict of a measured
 * value against one.
 *
 * @module
 */

/** Unit of a measure; decides how a value is printed. */
export type Unit = "ms" | "ratio" | "streams" | "KiB" | "%";

/** A bound a measured value must meet. */
export interface Target {
  /** `"max"`: the value must be at most `limit`; `"min"`: at least. */
  kind: "max" | "min";
  /** The bound, in the measure's unit. */
  limit: number;
}

/** One line of the benchmark table. */
export interface TargetSpec {
  /** Stable id, the key in the JSON report. */
  id: string;
  /** Shape, as in the issue: `S1`, `S2`, `memory`... */
  shape: string;
  /** What is measured. */
  measure: string;
  /** Unit of the value. */
  unit: Unit;
  /** The bound. */
  target: Target;
}

/** Outcome of a measure against its target. */
export type Verdict = "pass" | "miss" | "not run";

/** Every measure of `deno task bench`, in table order. */
export const TARGETS: readonly TargetSpec[] = [
  {
    id: "s1_added_median",
    shape: "S1 one at a time, non-stream",
    measure: "added latency median vs direct",
    unit: "ms",
    target: { kind: "max", limit: 1 },
  },
  {
    id: "s1_added_p99",
    shape: "S1 one at a time, non-stream",
    measure: "added latency p99 vs direct",
    unit: "ms",
    target: { kind: "max", limit: 3 },
  },
  {
    id: "s2_ratio",
    shape: "S2 open loop, 20 ms upstream",
    measure: "max req/s (p99 added <= 10 ms, < 0.1 % errors) / bare proxy's",
    unit: "ratio",
    target: { kind: "min", limit: 0.7 },
  },
  {
    // Not in the issue's table: S2's bound at one fixed rate (`--s2-rate`, 100 req/s), the gateway,
    // the bare proxy and the SDK floor taking turns. The search above measures the worst stall of
    // the worst trial, which on a noisy VM swings more than any change to the gateway; a p99 at a
    // fixed rate over alternated runs resolves changes.
    id: "s2_fixed_p99",
    shape: "S2 at a fixed rate, 20 ms upstream",
    measure: "p99 added vs direct's at 20 req/s, open loop at --s2-rate (100 req/s)",
    unit: "ms",
    target: { kind: "max", limit: 10 },
  },
  {
    id: "s3_ttft_p99",
    shape: "S3 streams, 64 frames at 20 ms",
    measure: "added time to first token p99",
    unit: "ms",
    target: { kind: "max", limit: 2 },
  },
  {
    id: "s3_gap_p99",
    shape: "S3 streams, 64 frames at 20 ms",
    measure: "added inter-frame gap p99",
    unit: "ms",
    target: { kind: "max", limit: 1 },
  },
  {
    id: "s3_scale_streams",
    shape: "S3 at scale",
    measure: "concurrent streams held, no gap above 200 ms",
    unit: "streams",
    target: { kind: "min", limit: 2000 },
  },
  {
    id: "memory_per_stream",
    shape: "memory",
    measure: "gateway RSS growth per open stream",
    unit: "KiB",
    target: { kind: "max", limit: 64 },
  },
  {
    // Not in the table: the same measure with the requests of a long conversation, which
    // most of a Claude Code session's requests are, against the bound.
    id: "memory_per_stream_long",
    shape: "memory, long conversation",
    measure: "gateway RSS growth per open stream, 450–485 KB requests (a long conversation)",
    unit: "KiB",
    target: { kind: "max", limit: 64 },
  },
  {
    // Not in the table: the same measure with every request waiting for Bedrock's first
    // byte, as a gateway's requests do for the seconds a real model takes to start answering.
    id: "memory_per_request_waiting",
    shape: "memory, waiting for the first byte",
    measure: "gateway RSS growth per request waiting for Bedrock's first byte",
    unit: "KiB",
    target: { kind: "max", limit: 64 },
  },
  {
    // Not in the table: its "load shedding before memory runs out", measured.
    id: "memory_limit",
    shape: "memory limit",
    measure: "peak RSS in a 512 MiB cgroup under a flood of streams, % of the limit (killed: 100)",
    unit: "%",
    target: { kind: "max", limit: 90 },
  },
  {
    id: "startup_main",
    shape: "start-up",
    measure: "main.ts: process start to first 200 on /healthz",
    unit: "ms",
    target: { kind: "max", limit: 150 },
  },
  {
    id: "startup_gateway",
    shape: "start-up",
    measure: "gateway/main.ts: process start to first 200 on /healthz",
    unit: "ms",
    target: { kind: "max", limit: 150 },
  },
  {
    id: "helper_token",
    shape: "helper",
    measure: "`ccgate token` wall time, cached valid token",
    unit: "ms",
    target: { kind: "max", limit: 100 },
  },
];

/**
 * Judges a measured value against a target. Pure.
 *
 * @param value The measured value, or `undefined` when the measure did not run.
 * @param target The bound.
 * @returns `"pass"`, `"miss"` or `"not run"`.
 *
 * @example
 * ```ts
 * import { verdict } from "./targets.ts";
 * if (verdict(0.8, { kind: "max", limit: 1 }) !== "pass") throw new Error("unexpected");
 * ```
 */
export function verdict(value: number | undefined, target: Target): Verdict {
  if (value === undefined || Number.isNaN(value)) return "not run";
  return (target.kind === "max" ? value <= target.limit : value >= target.limit) ? "pass" : "miss";
}
