import type { BatchObservableResult, Histogram, Meter, Observable } from "@opentelemetry/api";
import {
  GATEWAY_METRIC_KINDS,
  type GatewayHistogramName,
  GatewayMetrics,
  type MetricsSource,
} from "./gateway_metrics.ts";
import { METRIC_HELP } from "./metrics_route.ts";
import { otelInstruments } from "./otel_instruments.ts";

/** Instruments already made on a meter, by name: a second registration reuses them. */
const _made = new WeakMap<Meter, Map<string, Observable | Histogram>>();

/**
 * Exports a set of metrics through OpenTelemetry as well as `/metrics`: each
 * counter as an ObservableCounter and each gauge as an ObservableGauge, read
 * from `metrics` when the meter exports (nothing on the request path), with
 * the Prometheus series' names, labels and `# HELP` texts; each histogram of
 * a {@linkcode GatewayMetrics} as a Histogram with the same bucket bounds,
 * recorded at each observation. Deno's built-in OpenTelemetry
 * (`OTEL_DENO=true`, always on Deno Deploy) exports every isolate's
 * cumulative series with its own resource and the backend sums them, where a
 * `/metrics` scrape reaches one isolate. With OpenTelemetry off the API's
 * meter is a no-op: no callback runs and a histogram's record does nothing.
 *
 * Call it once per metrics object, after its sources are
 * {@linkcode GatewayMetrics.include}d (their kinds are read now). Instruments
 * are made once per meter and name: a second metrics object on the same meter
 * (tests run many stacks in one process) adds its own callback, and for the
 * same labels the last value observed is the one exported. Dispose of the
 * result to stop exporting this object's metrics.
 *
 * @param metrics The gateway's metrics (with what it includes), or a source
 *   alone (the auth service's, in `auth/main.ts`).
 * @param meter Where to make the instruments: `metrics.getMeter("ccgate")`
 *   from `@opentelemetry/api` in production.
 * @returns What stops the export.
 *
 * @example With OpenTelemetry off: no-op
 * ```ts
 * import { metrics as otel } from "@opentelemetry/api";
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * import { exportOtelMetrics } from "./otel_metrics.ts";
 * const metrics = new GatewayMetrics();
 * using _exported = exportOtelMetrics(metrics, otel.getMeter("ccgate"));
 * metrics.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.2);
 * ```
 */
export function exportOtelMetrics(
  metrics: GatewayMetrics | MetricsSource,
  meter: Meter,
): Disposable {
  const gateway = metrics instanceof GatewayMetrics ? metrics : undefined;
  const { kinds, help } = metrics instanceof GatewayMetrics
    ? {
      kinds: { ...metrics.includedKinds(), ...GATEWAY_METRIC_KINDS },
      help: { ...metrics.includedHelp(), ...METRIC_HELP },
    }
    : { kinds: { ...metrics.kinds }, help: { ...metrics.help } };
  let made = _made.get(meter);
  if (made === undefined) _made.set(meter, made = new Map());
  const observables = new Map<string, Observable>();
  const histograms: [GatewayHistogramName, Histogram][] = [];
  for (const { name, kind, options } of otelInstruments(kinds, help)) {
    let instrument = made.get(name);
    if (instrument === undefined) {
      instrument = kind === "counter"
        ? meter.createObservableCounter(name, options)
        : kind === "gauge"
        ? meter.createObservableGauge(name, options)
        : meter.createHistogram(name, options);
      made.set(name, instrument);
    }
    if (kind === "histogram") {
      histograms.push([name as GatewayHistogramName, instrument as Histogram]);
    } else observables.set(name, instrument as Observable);
  }
  const observed = [...observables.values()];
  const observe = (result: BatchObservableResult) => {
    for (const sample of [...metrics.samples(), ...metrics.gauges()]) {
      const instrument = observables.get(sample.name);
      if (instrument !== undefined) result.observe(instrument, sample.value, sample.labels);
    }
  };
  meter.addBatchObservableCallback(observe, observed);
  for (const [name, histogram] of histograms) gateway?.recordIn(name, histogram);
  return {
    [Symbol.dispose]() {
      meter.removeBatchObservableCallback(observe, observed);
      for (const [name] of histograms) gateway?.recordIn(name, undefined);
    },
  };
}
