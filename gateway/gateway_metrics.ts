/** Counter names the gateway keeps. */
export type GatewayMetricName =
  /** `/v1/messages/count_tokens` answers that are estimates (Bedrock cannot count for the model). */
  | "ccgate_count_tokens_estimated_total"
  /** `/v1/messages/count_tokens` answers counted by Bedrock CountTokens. */
  | "ccgate_count_tokens_counted_total"
  /** Model requests answered, by route, status class and outcome. */
  | "ccgate_requests_total"
  /** Tokens, by Bedrock model and kind (input, output, cache_read, cache_write). */
  | "ccgate_tokens_total"
  /** Cost in US dollars of priced requests, by Bedrock model. */
  | "ccgate_cost_usd_total"
  /** Requests that failed upstream (Bedrock) or mid-stream, by error type. */
  | "ccgate_upstream_errors_total"
  /** Requests refused because a budget was spent. */
  | "ccgate_budget_rejections_total"
  /** Requests the instance refused before reading their bodies (load shedding, the memory budget), by reason. */
  | "ccgate_load_shed_total"
  /** Requests refused with a 401 (missing, malformed, expired, forged or revoked credentials), by reason. */
  | "ccgate_auth_refused_total"
  /** Requests refused by a rate or concurrency limit. */
  | "ccgate_rate_limit_rejections_total"
  /** Usage ledger entries made durable (in the write-ahead log). */
  | "ccgate_ledger_entries_written_total"
  /** Usage ledger write-ahead commits that failed (tried again after the flush interval). */
  | "ccgate_ledger_write_failures_total"
  /** Usage ledger entries dropped because the in-memory buffer was full (KV kept failing). */
  | "ccgate_ledger_dropped_total"
  /** Bedrock calls tried again on another (or the same) upstream after an attempt failed, by from_region, to_region and reason. */
  | "ccgate_upstream_failovers_total"
  /** Circuits (region × model id) that opened, by region. */
  | "ccgate_circuit_opened_total"
  /** Policy file reloads rejected (unreadable or invalid: the previous policy stays). */
  | "ccgate_policy_reload_failures_total"
  /** Bedrock refusals of tool search, by model (each followed by a retry without it). */
  | "ccgate_tool_search_refused_total";

/** Gauge names the gateway keeps. */
export type GatewayGaugeName =
  /** Streams being sent right now. */
  | "ccgate_active_streams"
  /** Usage ledger entries waiting in memory for the next flush. */
  | "ccgate_ledger_buffered_entries"
  /** Memory the Bedrock calls in flight are estimated to hold, bytes. */
  | "ccgate_memory_in_flight_bytes"
  /** The memory budget for calls in flight, bytes (absent: no budget). */
  | "ccgate_memory_budget_bytes"
  /** Open circuits (region × model id whose calls are refused or probed), by region. */
  | "ccgate_circuit_open"
  /** Bedrock calls in flight (streams and non-streamed calls). */
  | "ccgate_upstream_calls_in_flight"
  /** 1 while the policy file on disk is rejected (a restart would fail), else 0. */
  | "ccgate_policy_file_rejected";

/** Histogram names the gateway keeps (seconds). */
export type GatewayHistogramName =
  /** Whole request duration, by route. */
  | "ccgate_request_duration_seconds"
  /** Time to the first byte from Bedrock, by route. */
  | "ccgate_first_byte_seconds";

/** What a metric is: a counter, a gauge or a histogram. */
export type MetricKind = "counter" | "gauge" | "histogram";

/**
 * The kind of every metric the gateway keeps, by name (what the
 * OpenTelemetry export makes an instrument of; see `exportOtelMetrics`).
 */
export const GATEWAY_METRIC_KINDS:
  & Readonly<Record<GatewayMetricName, "counter">>
  & Readonly<Record<GatewayGaugeName, "gauge">>
  & Readonly<Record<GatewayHistogramName, "histogram">> = Object.freeze(
    {
      ccgate_count_tokens_estimated_total: "counter",
      ccgate_count_tokens_counted_total: "counter",
      ccgate_requests_total: "counter",
      ccgate_tokens_total: "counter",
      ccgate_cost_usd_total: "counter",
      ccgate_upstream_errors_total: "counter",
      ccgate_budget_rejections_total: "counter",
      ccgate_load_shed_total: "counter",
      ccgate_auth_refused_total: "counter",
      ccgate_rate_limit_rejections_total: "counter",
      ccgate_ledger_entries_written_total: "counter",
      ccgate_ledger_write_failures_total: "counter",
      ccgate_ledger_dropped_total: "counter",
      ccgate_upstream_failovers_total: "counter",
      ccgate_circuit_opened_total: "counter",
      ccgate_policy_reload_failures_total: "counter",
      ccgate_tool_search_refused_total: "counter",
      ccgate_active_streams: "gauge",
      ccgate_ledger_buffered_entries: "gauge",
      ccgate_memory_in_flight_bytes: "gauge",
      ccgate_memory_budget_bytes: "gauge",
      ccgate_circuit_open: "gauge",
      ccgate_upstream_calls_in_flight: "gauge",
      ccgate_policy_file_rejected: "gauge",
      ccgate_request_duration_seconds: "histogram",
      ccgate_first_byte_seconds: "histogram",
    } as const,
  );

/** Where a histogram's observations are also recorded (an OpenTelemetry `Histogram` is one). */
export interface HistogramRecorder {
  /** Records one observation. */
  record(value: number, attributes: Readonly<Record<string, string>>): void;
}

/** A metric kept outside the gateway (the auth service's), rendered with its own. */
export type ExternalMetricName = `ccgate_${string}`;

/** Counters and gauges kept elsewhere, sampled with the gateway's (see {@linkcode GatewayMetrics.include}). */
export interface MetricsSource {
  /** The source's counters, read now. */
  samples(): CounterSample[];
  /** The source's gauges, read now. */
  gauges(): CounterSample[];
  /** `# HELP` texts of its metrics, by name. */
  readonly help?: Readonly<Record<string, string>>;
  /** The kind of each of its metrics, by name (those absent are not exported to OpenTelemetry). */
  readonly kinds?: Readonly<Record<string, "counter" | "gauge">>;
}

/** One counter or gauge value with its labels. */
export interface CounterSample {
  /** Metric name. */
  name: GatewayMetricName | GatewayGaugeName | ExternalMetricName;
  /** Label values, e.g. `{ model: "us.anthropic.claude-sonnet-4-6" }`. */
  labels: Readonly<Record<string, string>>;
  /** Value. */
  value: number;
}

/** One histogram with its labels: cumulative bucket counts, sum and count. */
export interface HistogramSample {
  /** Histogram name. */
  name: GatewayHistogramName;
  /** Label values. */
  labels: Readonly<Record<string, string>>;
  /** Upper bounds, ascending (the `+Inf` bucket is implied by `count`). */
  bounds: readonly number[];
  /** Observations `<=` each bound (cumulative), same length as `bounds`. */
  buckets: number[];
  /** Sum of the observations. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/** Default histogram bounds, seconds: 5 ms to 10 minutes (streams are long). */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  120,
  300,
  600,
]);

/**
 * The gateway's in-process metrics: counters, gauges and histograms keyed by
 * name and labels, cheap to bump on the hot path. The `/metrics` exporter
 * reads the samples; nothing here knows the exposition format.
 *
 * @example
 * ```ts
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * const metrics = new GatewayMetrics();
 * metrics.increment("ccgate_count_tokens_estimated_total", { model: "m" });
 * metrics.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.2);
 * console.assert(metrics.value("ccgate_count_tokens_estimated_total", { model: "m" }) === 1);
 * ```
 */
export class GatewayMetrics {
  readonly #counters = new Map<string, CounterSample>();
  readonly #gauges = new Map<string, CounterSample>();
  readonly #histograms = new Map<string, HistogramSample>();
  readonly #sources: MetricsSource[] = [];
  /** Histograms whose observations are recorded elsewhere too (OpenTelemetry). */
  #recorders: Partial<Record<GatewayHistogramName, HistogramRecorder>> = {};
  /** Counters and gauges read when sampled (a value the gateway already keeps). */
  readonly #read: {
    kind: "counter" | "gauge";
    name: GatewayMetricName | GatewayGaugeName;
    labels: Readonly<Record<string, string>>;
    read: () => number;
  }[] = [];

  /**
   * Adds `by` to a counter.
   *
   * @param name Counter name.
   * @param labels Label values (keep their number of values small: model ids, not users).
   * @param by Amount. @default {1}
   */
  increment(name: GatewayMetricName, labels: Record<string, string> = {}, by = 1): void {
    _add(this.#counters, name, labels, by);
  }

  /**
   * Moves a gauge by `by` (negative to lower it).
   *
   * @param name Gauge name.
   * @param labels Label values.
   * @param by Amount.
   */
  add(name: GatewayGaugeName, labels: Record<string, string>, by: number): void {
    _add(this.#gauges, name, labels, by);
  }

  /**
   * Sets a gauge.
   *
   * @param name Gauge name.
   * @param labels Label values.
   * @param value Value.
   */
  set(name: GatewayGaugeName, labels: Record<string, string>, value: number): void {
    const key = _key(name, labels);
    const sample = this.#gauges.get(key);
    if (sample !== undefined) sample.value = value;
    else this.#gauges.set(key, { name, labels: { ...labels }, value });
  }

  /**
   * Registers a counter whose value is read when the metrics are sampled
   * (scraped): for a count another object already keeps, at no cost to the
   * path that keeps it.
   *
   * @param name Counter name.
   * @param labels Label values.
   * @param read Returns the current value.
   */
  counterFrom(name: GatewayMetricName, labels: Record<string, string>, read: () => number): void {
    this.#read.push({ kind: "counter", name, labels: { ...labels }, read });
  }

  /**
   * Registers a gauge whose value is read when the metrics are sampled
   * (scraped), like {@linkcode GatewayMetrics.counterFrom}.
   *
   * @param name Gauge name.
   * @param labels Label values.
   * @param read Returns the current value.
   */
  gaugeFrom(name: GatewayGaugeName, labels: Record<string, string>, read: () => number): void {
    this.#read.push({ kind: "gauge", name, labels: { ...labels }, read });
  }

  /**
   * Samples another set of metrics with these (the auth service's in the
   * combined server: one `/metrics`, one scrape).
   *
   * @param source Its counters and gauges, read when these are sampled.
   */
  include(source: MetricsSource): void {
    this.#sources.push(source);
  }

  /** The `# HELP` texts of the included sources' metrics, by name. */
  includedHelp(): Record<string, string> {
    return Object.assign({}, ...this.#sources.map((s) => s.help ?? {}));
  }

  /** The kinds of the included sources' metrics, by name. */
  includedKinds(): Record<string, "counter" | "gauge"> {
    return Object.assign({}, ...this.#sources.map((s) => s.kinds ?? {}));
  }

  /**
   * Records each later observation of a histogram in `recorder` too (one
   * call per observation: an OpenTelemetry `Histogram`, a no-op while
   * OpenTelemetry is off).
   *
   * @param name Histogram name.
   * @param recorder Where to record (undefined: stop recording there).
   */
  recordIn(name: GatewayHistogramName, recorder: HistogramRecorder | undefined): void {
    this.#recorders = { ...this.#recorders, [name]: recorder };
  }

  /**
   * Records one observation in a histogram.
   *
   * @param name Histogram name.
   * @param labels Label values.
   * @param value The observation (seconds).
   * @param bounds Bucket bounds on first use. @default {DEFAULT_BUCKETS}
   */
  observe(
    name: GatewayHistogramName,
    labels: Record<string, string>,
    value: number,
    bounds: readonly number[] = DEFAULT_BUCKETS,
  ): void {
    const key = _key(name, labels);
    let h = this.#histograms.get(key);
    if (h === undefined) {
      h = { name, labels: { ...labels }, bounds, buckets: bounds.map(() => 0), sum: 0, count: 0 };
      this.#histograms.set(key, h);
    }
    for (let i = 0; i < h.bounds.length; i++) if (value <= h.bounds[i]!) h.buckets[i]!++;
    h.sum += value;
    h.count++;
    this.#recorders[name]?.record(value, labels);
  }

  /**
   * A counter's or gauge's value (0 when never set).
   *
   * @param name Metric name.
   * @param labels Label values.
   * @returns The value.
   */
  value(name: GatewayMetricName | GatewayGaugeName, labels: Record<string, string> = {}): number {
    const key = _key(name, labels);
    const kept = this.#counters.get(key)?.value ?? this.#gauges.get(key)?.value;
    if (kept !== undefined) return kept;
    const read = this.#read.find((r) => _key(r.name, r.labels) === key);
    return read === undefined ? 0 : read.read();
  }

  /**
   * Every counter, as copies (those registered with
   * {@linkcode GatewayMetrics.counterFrom} read now).
   *
   * @returns The samples, in creation order.
   */
  samples(): CounterSample[] {
    return [...this.#counters.values()].map((s) => ({ ...s, labels: { ...s.labels } }))
      .concat(this.#sampled("counter"), this.#sources.flatMap((s) => s.samples()));
  }

  /**
   * Every gauge, as copies (those registered with
   * {@linkcode GatewayMetrics.gaugeFrom} read now).
   *
   * @returns The samples, in creation order.
   */
  gauges(): CounterSample[] {
    return [...this.#gauges.values()].map((s) => ({ ...s, labels: { ...s.labels } }))
      .concat(this.#sampled("gauge"), this.#sources.flatMap((s) => s.gauges()));
  }

  #sampled(kind: "counter" | "gauge"): CounterSample[] {
    return this.#read.filter((r) => r.kind === kind).map((r) => ({
      name: r.name,
      labels: { ...r.labels },
      value: r.read(),
    }));
  }

  /**
   * Every histogram, as copies.
   *
   * @returns The samples, in creation order.
   */
  histograms(): HistogramSample[] {
    return [...this.#histograms.values()].map((h) => ({
      ...h,
      labels: { ...h.labels },
      buckets: [...h.buckets],
    }));
  }
}

function _add(
  map: Map<string, CounterSample>,
  name: CounterSample["name"],
  labels: Record<string, string>,
  by: number,
): void {
  const key = _key(name, labels);
  const sample = map.get(key);
  if (sample !== undefined) sample.value += by;
  else map.set(key, { name, labels: { ...labels }, value: by });
}

function _key(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(",")}}`;
}
