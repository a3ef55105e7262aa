/**
 * Buckets per doubling of the log-scale latency histograms the daily
 * roll-ups keep: bucket `b >= 1` holds values in `[2^((b-1)/4), 2^(b/4))`
 * ms (a factor of about 1.19 wide), bucket 0 holds 0 ms.
 */
export const BUCKETS_PER_DOUBLING = 4;

/**
 * Largest relative error of a percentile read from the histograms: the
 * estimate is the geometric middle of its bucket, at most this far from any
 * value in it (2^(1/8) - 1, about 9%).
 */
export const MAX_PERCENTILE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1;

/** Percentiles of a distribution, `null` when there were no values. */
export interface Percentiles {
  /** Median. */
  p50: number | null;
  /** 90th percentile. */
  p90: number | null;
  /** 99th percentile. */
  p99: number | null;
}

/**
 * The histogram bucket of a duration. Pure.
 *
 * @param ms Milliseconds (negative or non-finite count as 0).
 * @returns The bucket number, 0 or more.
 *
 * @example
 * ```ts
 * import { latencyBucket } from "./latency_histogram.ts";
 * console.assert(latencyBucket(0) === 0 && latencyBucket(1) === 1 && latencyBucket(2) === 5);
 * ```
 */
export function latencyBucket(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1) return 0;
  return 1 + Math.floor(BUCKETS_PER_DOUBLING * Math.log2(ms) + 1e-9);
}

/**
 * Nearest-rank p50, p90 and p99 of a histogram, each the geometric middle
 * of the bucket that holds it (rounded to a millisecond), so within
 * {@linkcode MAX_PERCENTILE_ERROR} of the exact value. Pure.
 *
 * @param counts Values per bucket.
 * @returns The percentiles.
 *
 * @example
 * ```ts
 * import { histogramPercentiles, latencyBucket } from "./latency_histogram.ts";
 * const p = histogramPercentiles(new Map([[latencyBucket(1000), 3]]));
 * console.assert(Math.abs(p.p50! - 1000) / 1000 < 0.1);
 * ```
 */
export function histogramPercentiles(counts: ReadonlyMap<number, number>): Percentiles {
  const buckets = [...counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return { p50: null, p90: null, p99: null };
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return _middle(bucket);
    }
    return _middle(buckets.at(-1)![0]);
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

function _middle(bucket: number): number {
  if (bucket === 0) return 0;
  return Math.round(2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING));
}
