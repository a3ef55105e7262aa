import type { CircuitChange } from "./circuit_breaker.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";

/** Options of {@linkcode circuitReporter}. */
export interface CircuitReporterOptions {
  /** Where a circuit's opening and closing are logged. */
  log?: Log;
  /** Where `ccgate_circuit_open{region}` and `ccgate_circuit_opened_total{region}` are kept. */
  metrics?: GatewayMetrics;
  /** The configured regions: their open-circuit gauges start at 0, so a scrape shows them. */
  regions?: readonly string[];
}

/**
 * The `changed` hook of the gateway's `CircuitBreaker`, whose keys are
 * `"{region} {modelId}"` (`FailoverBedrock`): logs a circuit's opening
 * (`warn`) and closing (`info`) with its region and model id, and keeps the
 * number of open circuits per region (`ccgate_circuit_open`, a gauge) and the
 * openings per region (`ccgate_circuit_opened_total`). Metric labels are the
 * region only — the configured regions, a bounded set — as model ids come from
 * requests.
 *
 * @param options Log, metrics, configured regions.
 * @returns The hook.
 *
 * @example
 * ```ts
 * import { circuitReporter } from "./circuit_reporter.ts";
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * const metrics = new GatewayMetrics();
 * const changed = circuitReporter({ metrics });
 * changed("us-east-1 us.anthropic.claude-opus-4-8", "opened");
 * console.assert(metrics.value("ccgate_circuit_open", { region: "us-east-1" }) === 1);
 * ```
 */
export function circuitReporter(
  options: CircuitReporterOptions,
): (key: string, change: CircuitChange) => void {
  const { log, metrics } = options;
  for (const region of options.regions ?? []) metrics?.set("ccgate_circuit_open", { region }, 0);
  return function circuitChanged(key, change) {
    const space = key.indexOf(" ");
    const region = space < 0 ? key : key.slice(0, space);
    const modelId = space < 0 ? undefined : key.slice(space + 1);
    if (change === "opened") {
      metrics?.add("ccgate_circuit_open", { region }, 1);
      metrics?.increment("ccgate_circuit_opened_total", { region });
      log?.({ level: "warn", msg: "circuit opened", region, model_id: modelId });
    } else {
      metrics?.add("ccgate_circuit_open", { region }, -1);
      log?.({
        level: change === "closed" ? "info" : "debug",
        msg: change === "closed" ? "circuit closed" : "circuit forgotten",
        region,
        model_id: modelId,
      });
    }
  };
}
