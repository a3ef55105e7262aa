/**
 * Pure statistics for the benchmark: nearest-rank quantiles, a summary of a
 * sample, and the median and spread of per-round results.
 *
 * @module
 */

/** A sample summarised, in the sample's unit. */
export interface Summary {
  /** Number of values. */
  n: number;
  /** Smallest value. */
  min: number;
  /** Median (nearest rank). */
  median: number;
  /** 90th percentile (nearest rank). */
  p90: number;
  /** 99th percentile (nearest rank). */
  p99: number;
  /** Largest value. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

/** The median of per-round values and how far the rounds spread. */
export interface RoundsSummary {
  /** Median of the rounds. */
  median: number;
  /** Smallest round. */
  min: number;
  /** Largest round. */
  max: number;
  /** Every round, in the order measured. */
  rounds: number[];
}

/**
 * The nearest-rank quantile of an ascending sorted sample: the smallest value
 * with at least `q` of the sample at or below it. Pure.
 *
 * @param sorted Values in ascending order (not empty).
 * @param q Quantile in [0, 1].
 * @returns The value.
 *
 * @example
 * ```ts
 * import { quantile } from "./percentiles.ts";
 * if (quantile([1, 2, 3, 4], 0.5) !== 2) throw new Error("unexpected");
 * ```
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("Cannot take a quantile: the sample is empty");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot take quantile "${q}": not in [0, 1]`);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Summarises a sample (any order). Pure; the input is not modified.
 *
 * @param values The sample (not empty).
 * @returns Count, min, median, p90, p99, max and mean.
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    min: quantile(sorted, 0),
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/**
 * The median of per-round results (the mean of the two middle rounds for an
 * even count) with the smallest and largest round. Pure.
 *
 * @param rounds One value per round (not empty).
 * @returns Median, min, max and the rounds themselves.
 */
export function summarizeRounds(rounds: readonly number[]): RoundsSummary {
  if (rounds.length === 0) throw new RangeError("Cannot summarise rounds: there are none");
  const sorted = [...rounds].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, rounds: [...rounds] };
}
