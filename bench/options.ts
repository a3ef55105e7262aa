/**
 * Command-line options of `deno task bench` and the sizes of each scenario in
 * full and quick mode. Pure.
 *
 * @module
 */

/**
 * Scenario names, in run order. Memory runs before S2: S2 pushes the servers past their limit
 * (the bare proxy queued 3 s at 559 req/s once), and the resident memory that leaves behind made
 * the next RSS growth look small (43 KiB per stream for the proxy instead of 260). The memory-limit
 * shape runs last: it floods the shared emulator with 1,400 streams and ends with a gateway killed
 * by the kernel's OOM killer (which of the two disturbs what follows was not isolated), and in the 9
 * rounds of S2 run after it (2026-11-30) the gateway's rate had a median of 0 req/s
 * (0–45), against 83 (10–138) in 6 rounds of S2 alone or after the memory shape. The two full runs
 * with this order then gave 214 req/s (0.54×) and 0 (0.00×): S2 stays dominated by this VM's noise.
 */
export const SCENARIOS = [
  "s1",
  "s3",
  "memory",
  "s2",
  "scale",
  "startup",
  "token",
  "long",
  "waiting",
  "limit",
] as const;

/** One scenario name. */
export type ScenarioName = typeof SCENARIOS[number];

/** Sizes of every scenario. */
export interface BenchPlan {
  /** Rounds of S1, S2 and S3 (each reported as the median of its rounds). */
  rounds: number;
  /** S1: measured requests per target per round, after `s1Warmup`. */
  s1Requests: number;
  s1Warmup: number;
  /** S2: measured seconds per rate trial (after a warm-up third as long). */
  s2TrialMs: number;
  /** S2: bisection steps after the first failing rate. */
  s2Refine: number;
  /** S2: time budget of the whole search, ms (each round and server gets an equal share). */
  s2BudgetMs: number;
  /** S2 at a fixed rate: measured ms per server per round (after a warm-up a third of `s2TrialMs`). */
  s2FixedMs: number;
  /** S3: streams per target per round, `s3Concurrency` at a time. */
  s3Streams: number;
  s3Concurrency: number;
  /** S3 at scale: stream counts tried, ascending, until one fails. */
  scaleLevels: number[];
  /** S3 at scale: how long every stream of a level is open together, ms. */
  scaleHoldMs: number;
  /** Memory: streams held open while the gateway's RSS is read. */
  memoryStreams: number;
  /** Memory with long conversations: streams of 485 KB requests held open. */
  memoryLongStreams: number;
  /** Memory limit: streams flooded at the gateway in its 512 MiB cgroup. */
  memoryLimitStreams: number;
  /** Start-up: runs per entry point. */
  startupRuns: number;
  /** `ccgate token`: runs. */
  tokenRuns: number;
}

/** Parsed options. */
export interface BenchOptions {
  /** Quick mode (about a minute) instead of the full run (under ten minutes). */
  quick: boolean;
  /** Scenarios to run. */
  only: ScenarioName[];
  /** Where the JSON report goes. */
  out: string;
  /** Pin the server under test to its own CPU with `taskset` when possible. */
  pin: boolean;
  /** Run the gateway with `--cpu-prof` (profiles under bench/results/prof/). */
  cpuProf: boolean;
  /** Upstream first-byte delay of S2 and S3, ms. */
  upstreamMs: number;
  /** Pacing between stream frames, ms. */
  paceMs: number;
  /** S2's fixed rate, req/s: the rate at which the p99 of every server is measured. */
  s2Rate: number;
  /** The recorded Claude Code request sent (see `loadFixtures`). */
  request: BenchRequest;
  /** Sizes. */
  plan: BenchPlan;
}

/** Full-run sizes: about 7 to 9 minutes on 2 cores. */
export const FULL_PLAN: BenchPlan = {
  rounds: 3,
  s1Requests: 300,
  s1Warmup: 30,
  s2TrialMs: 3_000,
  s2Refine: 3,
  s2BudgetMs: 150_000,
  s2FixedMs: 8_000,
  s3Streams: 24,
  s3Concurrency: 8,
  scaleLevels: [100, 250, 500, 1000, 2000, 3000],
  scaleHoldMs: 4_000,
  memoryStreams: 1000,
  memoryLongStreams: 300,
  memoryLimitStreams: 1000,
  startupRuns: 5,
  tokenRuns: 20,
};

/** Quick sizes: about a minute. */
export const QUICK_PLAN: BenchPlan = {
  rounds: 1,
  s1Requests: 100,
  s1Warmup: 10,
  s2TrialMs: 1_500,
  s2Refine: 1,
  s2BudgetMs: 24_000,
  s2FixedMs: 3_000,
  s3Streams: 8,
  s3Concurrency: 4,
  scaleLevels: [250],
  scaleHoldMs: 2_000,
  memoryStreams: 250,
  memoryLongStreams: 100,
  memoryLimitStreams: 600,
  startupRuns: 2,
  tokenRuns: 5,
};

/**
 * The Claude Code versions whose recorded request the bench can send, the
 * default first: 2.1.332 (2026-11, 49 KB as sent) is what developers install today;
 * 2.1.197 (2026-06, 76 KB) is what the figures before 2026-12-01 were
 * measured with.
 */
export const BENCH_REQUESTS = ["2.1.332", "2.1.197"] as const;

/** A recorded request the bench can send. */
export type BenchRequest = typeof BENCH_REQUESTS[number];

/** A bad command line. */
export class BenchUsageError extends Error {
  /** Stable code. */
  readonly code = "bench_usage";
}

/**
 * Parses `deno task bench` arguments (and `BENCH_QUICK=1`). Pure.
 *
 * `--quick`, `--rounds N`, `--only s1,s3`, `--out path`, `--no-pin`,
 * `--cpu-prof`, `--upstream-ms N`, `--pace-ms N`, `--s2-rate N`, `--scale-levels 500,1000`,
 * `--request 2.1.197`.
 *
 * @param args Command-line arguments.
 * @param env Environment variables.
 * @returns The options.
 * @throws {BenchUsageError} On an unknown flag or a bad value.
 */
export function parseBenchOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BenchOptions {
  const quick = args.includes("--quick") || env.BENCH_QUICK === "1";
  const options: BenchOptions = {
    quick,
    only: [...SCENARIOS],
    out: "bench/results/latest.json",
    pin: true,
    cpuProf: false,
    upstreamMs: 20,
    paceMs: 20,
    s2Rate: 100,
    request: BENCH_REQUESTS[0],
    plan: { ...(quick ? QUICK_PLAN : FULL_PLAN) },
  };
  const number = (flag: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) {
      throw new BenchUsageError(
        `Cannot use ${flag} "${value ?? ""}": expected a whole number >= ${min}`,
      );
    }
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    switch (arg) {
      case "--quick":
        break;
      case "--no-pin":
        options.pin = false;
        break;
      case "--cpu-prof":
        options.cpuProf = true;
        break;
      case "--rounds":
        options.plan.rounds = number(arg, args[++i], 1);
        break;
      case "--upstream-ms":
        options.upstreamMs = number(arg, args[++i], 0);
        break;
      case "--pace-ms":
        options.paceMs = number(arg, args[++i], 0);
        break;
      case "--s2-rate":
        options.s2Rate = number(arg, args[++i], 1);
        break;
      case "--request": {
        const version = args[++i] ?? "";
        if (!(BENCH_REQUESTS as readonly string[]).includes(version)) {
          throw new BenchUsageError(
            `Cannot use --request "${version}": recorded requests are ${BENCH_REQUESTS.join(", ")}`,
          );
        }
        options.request = version as BenchRequest;
        break;
      }
      case "--scale-levels": {
        const text = args[++i] ?? "";
        const levels = text.split(",").map(Number);
        if (text === "" || !levels.every((n) => Number.isInteger(n) && n > 0)) {
          throw new BenchUsageError(
            `Cannot use --scale-levels "${text}": expected stream counts like 500,1000,2000`,
          );
        }
        options.plan.scaleLevels = levels.sort((a, b) => a - b);
        break;
      }
      case "--out": {
        const out = args[++i];
        if (out === undefined || out === "") throw new BenchUsageError("Cannot use --out: no path");
        options.out = out;
        break;
      }
      case "--only": {
        const names = (args[++i] ?? "").split(",").filter((n) => n !== "");
        const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
        if (names.length === 0 || unknown.length > 0) {
          throw new BenchUsageError(
            `Cannot use --only "${names.join(",")}": scenarios are ${SCENARIOS.join(", ")}`,
          );
        }
        options.only = SCENARIOS.filter((s) => names.includes(s));
        break;
      }
      default:
        throw new BenchUsageError(`Cannot use "${arg}": unknown option`);
    }
  }
  return options;
}
