/**
 * What the load generator process is asked to do (a job, read from a JSON
 * file) and what it answers (JSON lines on stdout). Shared by the
 * orchestrator and the load generator.
 *
 * @module
 */

/** One kind of request to send: a URL, headers and a body. */
export interface RequestSpec {
  /** Label in the results: `direct`, `proxy`, `gateway`. */
  name: string;
  /** Full URL. */
  url: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** Request body (JSON text). */
  body: string;
}

/** Requests one at a time, round-robin over the targets, each read to its end. */
export interface SequentialJob {
  kind: "sequential";
  targets: RequestSpec[];
  /** Measured requests per target. */
  requests: number;
  /** Unmeasured requests per target first. */
  warmup: number;
}

/** Requests sent on a fixed schedule whatever the answers (latency from the scheduled time). */
export interface OpenLoopJob {
  kind: "open_loop";
  target: RequestSpec;
  /** Requests per second. */
  rate: number;
  /** Measured duration, ms. */
  durationMs: number;
  /** Unmeasured duration at the same rate first, ms. */
  warmupMs: number;
  /** Requests in flight beyond this count are not sent and count as errors. */
  maxInFlight: number;
}

/** Streamed requests, `concurrency` at a time per target, targets taking turns per batch. */
export interface StreamsJob {
  kind: "streams";
  targets: RequestSpec[];
  /** Measured streams per target. */
  streams: number;
  /** Streams in flight at once. */
  concurrency: number;
}

/** `streams` streams opened over `rampMs` and held to their end. */
export interface HoldJob {
  kind: "hold";
  target: RequestSpec;
  /** Streams to open. */
  streams: number;
  /** Spread the opening over this long, ms. */
  rampMs: number;
  /** Give up on a stream after this long, ms. */
  timeoutMs: number;
}

/** Any job. */
export type Job = SequentialJob | OpenLoopJob | StreamsJob | HoldJob;

/** Result of a {@linkcode SequentialJob}: latencies in ms per target name. */
export interface SequentialResult {
  latencies: Record<string, number[]>;
  /** Per target, the `gateway` Server-Timing of each measured answer that had one, ms. */
  gatewayMs: Record<string, number[]>;
  errors: Record<string, number>;
  firstError?: string;
}

/** Result of an {@linkcode OpenLoopJob}. */
export interface OpenLoopResult {
  /** Latency of each measured successful request, ms (from its scheduled start). */
  latencies: number[];
  /** Measured requests that failed, timed out or were not sent. */
  errors: number;
  /** Measured requests scheduled. */
  scheduled: number;
  /** Most the generator fell behind its schedule, ms. */
  maxLagMs: number;
  firstError?: string;
}

/** Per-target stream measurements. */
export interface StreamStats {
  /** Request start to first body chunk, ms, per stream. */
  ttft: number[];
  /** Time between consecutive body chunks, ms, every stream pooled. */
  gaps: number[];
  /** Streams that failed or did not end with the last event. */
  errors: number;
  /** The `gateway` Server-Timing of each stream that had one, ms. */
  gatewayMs: number[];
}

/** Result of a {@linkcode StreamsJob}. */
export interface StreamsResult {
  stats: Record<string, StreamStats>;
  firstError?: string;
}

/** Result of a {@linkcode HoldJob}. */
export interface HoldResult {
  /** Streams that ended with the last event. */
  completed: number;
  /** Streams that failed. */
  errors: number;
  /** Largest gap between chunks on any stream, ms. */
  maxGapMs: number;
  /** Streams whose largest gap was above 200 ms. */
  streamsOver200Ms: number;
  /** Most streams open at once (first byte received, not ended). */
  peakOpen: number;
  /** Body chunks received over every stream, failed ones included. */
  chunks: number;
  /** Time to first chunk, ms, per stream. */
  ttft: number[];
  /** CPU time the load generator used over the job, ms, and the job's wall time, ms. */
  cpuMs?: number;
  wallMs?: number;
  firstError?: string;
}

/** A line the load generator prints while a hold job runs: every stream has its first byte. */
export interface PlateauLine {
  type: "plateau";
  /** Streams open right now. */
  open: number;
}

/** The last line the load generator prints. */
export interface ResultLine {
  type: "result";
  result: SequentialResult | OpenLoopResult | StreamsResult | HoldResult;
}
