import type { LedgerEntry } from "./ledger_entry.ts";

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
  /** Cost of priced requests, US dollars. */
  costUsd: number;
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
  /** Total latency percentiles, ms (of completed requests). */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  /** Time-to-first-byte percentiles, ms. */
  firstByteMs: { p50: number | null; p90: number | null; p99: number | null };
  /** Errors by type. */
  errorTypes: { type: string; count: number }[];
}

/**
 * Summarises ledger entries for the dashboard: totals, a series per day,
 * top users and models, error rate and types, latency percentiles
 * (nearest-rank). Pure.
 *
 * @param entries The entries of the range.
 * @param days Every day of the range, in order.
 * @param top How many users and models to list. @default {10}
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { summarizeUsage } from "./usage_summary.ts";
 * const s = summarizeUsage([], ["2026-11-30"]);
 * console.assert(s.totals.requests === 0 && s.days.length === 1);
 * ```
 */
export function summarizeUsage(
  entries: readonly LedgerEntry[],
  days: readonly string[],
  top = 10,
): UsageSummary {
  const totals = _zero();
  const byDay = new Map(days.map((d) => [d, _zero()]));
  const byUser = new Map<string, UsageTotals>();
  const byModel = new Map<string, UsageTotals>();
  const errorTypes = new Map<string, number>();
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  for (const e of entries) {
    _add(totals, e);
    const day = byDay.get(e.day);
    if (day !== undefined) _add(day, e);
    _add(_get(byUser, e.user), e);
    _add(_get(byModel, e.bedrockModel ?? e.model ?? "unknown"), e);
    if (e.outcome !== "completed") {
      const t = e.errorType ?? e.outcome;
      errorTypes.set(t, (errorTypes.get(t) ?? 0) + 1);
    } else {
      latencies.push(e.totalMs);
    }
    if (e.firstByteMs !== null) firstBytes.push(e.firstByteMs);
  }
  const ranked = <K extends string>(map: Map<string, UsageTotals>, key: K) =>
    [...map].sort((a, b) => b[1].tokens - a[1].tokens || a[0].localeCompare(b[0])).slice(0, top)
      .map(([name, t]) => ({ [key]: name, ...t }) as { [P in K]: string } & UsageTotals);
  return {
    from: days[0] ?? "",
    to: days.at(-1) ?? "",
    totals,
    errorRate: totals.requests === 0 ? 0 : totals.errors / totals.requests,
    days: [...byDay].map(([day, t]) => ({ day, ...t })),
    topUsers: ranked(byUser, "user"),
    topModels: ranked(byModel, "model"),
    latencyMs: _percentiles(latencies),
    firstByteMs: _percentiles(firstBytes),
    errorTypes: [...errorTypes].map(([type, count]) => ({ type, count })).sort((a, b) =>
      b.count - a.count
    ),
  };
}

function _zero(): UsageTotals {
  return { requests: 0, errors: 0, tokens: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function _get(map: Map<string, UsageTotals>, key: string): UsageTotals {
  let t = map.get(key);
  if (t === undefined) map.set(key, t = _zero());
  return t;
}

function _add(t: UsageTotals, e: LedgerEntry): void {
  const input = e.inputTokens + e.cacheReadTokens + e.cacheWriteTokens;
  t.requests++;
  if (e.outcome !== "completed") t.errors++;
  t.inputTokens += input;
  t.outputTokens += e.outputTokens;
  t.tokens += input + e.outputTokens;
  t.costUsd += e.costUsd ?? 0;
}

function _percentiles(
  values: number[],
): { p50: number | null; p90: number | null; p99: number | null } {
  if (values.length === 0) return { p50: null, p90: null, p99: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99) };
}
