/** Counter names the gateway keeps. */
export type GatewayMetricName =
  /** `/v1/messages/count_tokens` answers that are estimates (Bedrock cannot count for the model). */
  | "ccgate_count_tokens_estimated_total"
  /** `/v1/messages/count_tokens` answers counted by Bedrock CountTokens. */
  | "ccgate_count_tokens_counted_total";

/** One counter value with its labels. */
export interface CounterSample {
  /** Counter name. */
  name: GatewayMetricName;
  /** Label values, e.g. `{ model: "us.anthropic.claude-sonnet-4-6" }`. */
  labels: Readonly<Record<string, string>>;
  /** Value. */
  value: number;
}

/**
 * The gateway's in-process counters: plain numbers keyed by name and labels,
 * cheap to bump on the hot path. The `/metrics` exporter reads
 * {@linkcode GatewayMetrics.samples}; nothing here knows the exposition format.
 *
 * @example
 * ```ts
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * const metrics = new GatewayMetrics();
 * metrics.increment("ccgate_count_tokens_estimated_total", { model: "m" });
 * console.assert(metrics.value("ccgate_count_tokens_estimated_total", { model: "m" }) === 1);
 * ```
 */
export class GatewayMetrics {
  readonly #counters = new Map<string, CounterSample>();

  /**
   * Adds `by` to a counter.
   *
   * @param name Counter name.
   * @param labels Label values (keep their number of values small: model ids, not users).
   * @param by Amount. @default {1}
   */
  increment(name: GatewayMetricName, labels: Record<string, string> = {}, by = 1): void {
    const key = _key(name, labels);
    const sample = this.#counters.get(key);
    if (sample !== undefined) sample.value += by;
    else this.#counters.set(key, { name, labels: { ...labels }, value: by });
  }

  /**
   * A counter's value (0 when never incremented).
   *
   * @param name Counter name.
   * @param labels Label values.
   * @returns The value.
   */
  value(name: GatewayMetricName, labels: Record<string, string> = {}): number {
    return this.#counters.get(_key(name, labels))?.value ?? 0;
  }

  /**
   * Every counter, as copies.
   *
   * @returns The samples, in creation order.
   */
  samples(): CounterSample[] {
    return [...this.#counters.values()].map((s) => ({ ...s, labels: { ...s.labels } }));
  }
}

function _key(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(",")}}`;
}
