import type { CounterSample, HistogramSample } from "./gateway_metrics.ts";

/** What {@linkcode prometheusText} renders. */
export interface PrometheusInput {
  /** Counters (rendered as `counter`). */
  counters: readonly CounterSample[];
  /** Gauges (rendered as `gauge`). */
  gauges: readonly CounterSample[];
  /** Histograms (rendered as `histogram`). */
  histograms: readonly HistogramSample[];
  /** `# HELP` text per metric name; a missing one gets a generic help line. */
  help?: Readonly<Record<string, string>>;
}

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Renders metrics in the Prometheus text exposition format (0.0.4): one
 * `# HELP` and `# TYPE` per metric family, samples grouped under their
 * family, label values escaped, histograms as cumulative `_bucket` lines
 * (with `le="+Inf"`), `_sum` and `_count`. Pure.
 *
 * @param input The samples and help texts.
 * @returns The exposition text, ending with a newline.
 *
 * @example
 * ```ts
 * import { prometheusText } from "./prometheus_text.ts";
 * const text = prometheusText({
 *   counters: [{ name: "ccgate_requests_total", labels: { route: "messages" }, value: 2 }],
 *   gauges: [],
 *   histograms: [],
 * });
 * console.assert(text.includes('ccgate_requests_total{route="messages"} 2'));
 * ```
 */
export function prometheusText(input: PrometheusInput): string {
  const lines: string[] = [];
  const families = new Map<string, { type: string; lines: string[] }>();
  const family = (name: string, type: string) => {
    let f = families.get(name);
    if (f === undefined) families.set(name, f = { type, lines: [] });
    return f;
  };
  for (const s of input.counters) {
    family(s.name, "counter").lines.push(`${s.name}${_labels(s.labels)} ${_number(s.value)}`);
  }
  for (const s of input.gauges) {
    family(s.name, "gauge").lines.push(`${s.name}${_labels(s.labels)} ${_number(s.value)}`);
  }
  for (const h of input.histograms) {
    const f = family(h.name, "histogram");
    h.bounds.forEach((bound, i) => {
      f.lines.push(
        `${h.name}_bucket${_labels({ ...h.labels, le: _number(bound) })} ${h.buckets[i] ?? 0}`,
      );
    });
    f.lines.push(`${h.name}_bucket${_labels({ ...h.labels, le: "+Inf" })} ${h.count}`);
    f.lines.push(`${h.name}_sum${_labels(h.labels)} ${_number(h.sum)}`);
    f.lines.push(`${h.name}_count${_labels(h.labels)} ${h.count}`);
  }
  for (const [name, f] of families) {
    const help = input.help?.[name] ?? name.replaceAll("_", " ");
    lines.push(`# HELP ${name} ${_escapeHelp(help)}`, `# TYPE ${name} ${f.type}`, ...f.lines);
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function _labels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${_labelName(k)}="${_escapeValue(labels[k]!)}"`).join(",")}}`;
}

function _labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function _escapeValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function _escapeHelp(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function _number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
