import {
  BUCKETS_PER_DOUBLING,
  histogramPercentiles,
  MAX_PERCENTILE_ERROR,
  type Percentiles,
} from "./latency_histogram.ts";
import { knownCost } from "./known_cost.ts";
import type { UsageRow } from "./usage_query.ts";

/** Totals of a set of entries. */
export interface UsageTotals {
  /** Requests. */
  requests: number;
  /** Requests that did not complete (upstream errors, aborts, refusals). */
  errors: number;
  /** All tokens: input, output, cache read and write. */
  tokens: number;
  /** Input tokens (uncached + cache read + cache write). */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /**
   * Cost of the priced requests, US dollars; `null` when there were requests
   * and every one is unpriced (an unknown cost, not a free one). 0 for no
   * requests.
   */
  costUsd: number | null;
  /** Requests of unpriced models: counted in `requests`, not in `costUsd`. */
  unpriced: number;
}

/** What the dashboard shows for a day range. */
export interface UsageSummary {
  /** First and last day. */
  from: string;
  /** Last day. */
  to: string;
  /** Totals of the range. */
  totals: UsageTotals;
  /** Error rate, 0..1 (0 when there were no requests). */
  errorRate: number;
  /** Per day, every day of the range (zeros included). */
  days: ({ day: string } & UsageTotals)[];
  /** Users by tokens, most first (at most `top`). */
  topUsers: ({ user: string } & UsageTotals)[];
  /** Models by tokens, most first (at most `top`). */
  topModels: ({ model: string } & UsageTotals)[];
  /** Total latency percentiles, ms (of completed requests); bucketed, see `percentiles`. */
  latencyMs: Percentiles;
  /** Time-to-first-byte percentiles, ms; bucketed, see `percentiles`. */
  firstByteMs: Percentiles;
  /** How the percentiles were computed: estimates from log-scale histograms. */
  percentiles: {
    /** Always `log_histogram`. */
    method: "log_histogram";
    /** Histogram buckets per doubling of the duration. */
    bucketsPerDoubling: number;
    /** Most relative error of an estimate (about 0.09). */
    maxRelativeError: number;
  };
  /** Errors by type. */
  errorTypes: { type: string; count: number }[];
  /** Always `false`: the summary is computed from every request of the range. */
  truncated: false;
}

/** What {@linkcode summarizeUsage} reads: daily rollups of one scope (all, a user or a group). */
export interface SummaryInput {
  /** The scope's usage rows (user × model rows, or a group's group × model rows), any days. */
  rows: readonly UsageRow[];
  /** Rows per user within the scope (`name` is the user): the top users. */
  userRows: readonly UsageRow[];
  /** Latency histogram of completed requests: requests per `latencyBucket`. */
  totalMs: ReadonlyMap<number, number>;
  /** Time-to-first-byte histogram: requests per `latencyBucket`. */
  firstByteMs: ReadonlyMap<number, number>;
  /** Requests that did not complete, per error type (or outcome). */
  errorTypes: ReadonlyMap<string, number>;
}

/**
 * Summarises daily rollups for the dashboard: totals, a series per day,
 * top users and models, error rate and types, exact for any range, and
 * p50 / p90 / p99 of latency and time to first byte, estimated from
 * log-scale histograms (`latencyBucket`, within about 9%). Each total's
 * `costUsd` is what its priced requests cost and `unpriced` counts the
 * others; a total of unpriced requests only costs `null` (see `knownCost`).
 * Pure.
 *
 * @param input The rollups of the range.
 * @param days Every day of the range, in order.
 * @param top How many users and models to list. @default {10}
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { summarizeUsage } from "./usage_summary.ts";
 * const none = new Map();
 * const s = summarizeUsage(
 *   { rows: [], userRows: [], totalMs: none, firstByteMs: none, errorTypes: none },
 *   ["2026-11-30"],
 * );
 * console.assert(s.totals.requests === 0 && s.days.length === 1);
 * ```
 */
export function summarizeUsage(
  input: SummaryInput,
  days: readonly string[],
  top = 10,
): UsageSummary {
  const sums = new UsageSums(days);
  for (const row of input.rows) sums.addRow(row);
  for (const row of input.userRows) sums.addUserRow(row);
  return sums.summary(input, top);
}

/**
 * The sums a {@linkcode UsageSummary} is made of, taken a row at a time, so
 * that rows can be folded in as they are read and never held
 * (`readUsageSummary` reads a year of a fleet's roll-ups this way).
 *
 * @example
 * ```ts
 * import { UsageSums } from "./usage_summary.ts";
 * const sums = new UsageSums(["2026-11-30"]);
 * const none = new Map();
 * const s = sums.summary({ totalMs: none, firstByteMs: none, errorTypes: none });
 * console.assert(s.totals.requests === 0);
 * ```
 */
export class UsageSums {
  readonly #days: readonly string[];
  readonly #totals = _zero();
  readonly #byDay: Map<string, UsageTotals>;
  readonly #byUser = new Map<string, UsageTotals>();
  readonly #byModel = new Map<string, UsageTotals>();

  /** @param days The range's days, in order (each gets a series point, zeros included). */
  constructor(days: readonly string[]) {
    this.#days = days;
    this.#byDay = new Map(days.map((d) => [d, _zero()]));
  }

  /** Adds one of the scope's usage rows (`SummaryInput.rows`): totals, its day, its model. */
  addRow(row: UsageRow): void {
    _add(this.#totals, row);
    const day = this.#byDay.get(row.day);
    if (day !== undefined) _add(day, row);
    _add(_get(this.#byModel, row.model), row);
  }

  /** Adds one row of a user (`SummaryInput.userRows`): the top users. */
  addUserRow(row: UsageRow): void {
    _add(_get(this.#byUser, row.name), row);
  }

  /**
   * The summary of the rows added, with the histograms and error types.
   *
   * @param input Latency and first-byte histograms, error types.
   * @param top How many users and models to list.
   * @returns The summary.
   */
  summary(
    input: Pick<SummaryInput, "totalMs" | "firstByteMs" | "errorTypes">,
    top = 10,
  ): UsageSummary {
    const totals = this.#totals;
    const all = [
      totals,
      ...this.#byDay.values(),
      ...this.#byUser.values(),
      ...this.#byModel.values(),
    ];
    for (const t of all) t.costUsd = knownCost(t.costUsd ?? 0, t);
    const ranked = <K extends string>(map: Map<string, UsageTotals>, key: K) =>
      [...map].sort((a, b) => b[1].tokens - a[1].tokens || a[0].localeCompare(b[0])).slice(0, top)
        .map(([name, t]) => ({ [key]: name, ...t }) as { [P in K]: string } & UsageTotals);
    return {
      from: this.#days[0] ?? "",
      to: this.#days.at(-1) ?? "",
      totals,
      errorRate: totals.requests === 0 ? 0 : totals.errors / totals.requests,
      days: [...this.#byDay].map(([day, t]) => ({ day, ...t })),
      topUsers: ranked(this.#byUser, "user"),
      topModels: ranked(this.#byModel, "model"),
      latencyMs: histogramPercentiles(input.totalMs),
      firstByteMs: histogramPercentiles(input.firstByteMs),
      percentiles: {
        method: "log_histogram",
        bucketsPerDoubling: BUCKETS_PER_DOUBLING,
        maxRelativeError: Math.round(MAX_PERCENTILE_ERROR * 1000) / 1000,
      },
      errorTypes: [...input.errorTypes].map(([type, count]) => ({ type, count })).sort((a, b) =>
        b.count - a.count || a.type.localeCompare(b.type)
      ),
      truncated: false,
    };
  }
}

function _zero(): UsageTotals {
  return {
    requests: 0,
    errors: 0,
    tokens: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    unpriced: 0,
  };
}

function _get(map: Map<string, UsageTotals>, key: string): UsageTotals {
  let t = map.get(key);
  if (t === undefined) map.set(key, t = _zero());
  return t;
}

function _add(t: UsageTotals, row: UsageRow): void {
  const input = row.inputTokens + row.cacheReadTokens + row.cacheWriteTokens;
  t.requests += row.requests;
  t.errors += row.errors;
  t.inputTokens += input;
  t.outputTokens += row.outputTokens;
  t.tokens += input + row.outputTokens;
  t.unpriced += row.unpriced;
  // Costs are summed in nano-dollars: keep the float sum on that grid. A row of unpriced
  // requests only adds none (its `null`); `summarizeUsage` says `null` once all are unpriced.
  t.costUsd = Math.round(((t.costUsd ?? 0) + (row.costUsd ?? 0)) * 1e9) / 1e9;
}
