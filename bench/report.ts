/**
 * Renders the benchmark's results as a Markdown table (what `deno task bench`
 * prints and what bench/README.md quotes). Pure.
 *
 * @module
 */
import type { RoundsSummary } from "./percentiles.ts";
import { type TargetSpec, type Unit, type Verdict, verdict } from "./targets.ts";

/** A measure's outcome: the gateway's value over rounds, a baseline for comparison, a note. */
export interface MeasuredRow {
  /** Which target this row measures. */
  spec: TargetSpec;
  /** The gateway's value: median over rounds and the spread; absent when not run. */
  value?: RoundsSummary;
  /** The same measure for the bare `Deno.serve` + `fetch` proxy (the runtime's floor), if any. */
  proxy?: number;
  /** Free text: absolute numbers behind a difference or a ratio, or why it did not run. */
  note?: string;
}

/** The machine the numbers were measured on. */
export interface MachineInfo {
  /** CPU model name. */
  cpu: string;
  /** Logical CPUs. */
  cores: number;
  /** Total memory, MiB. */
  memoryMiB: number;
  /** Operating system and kernel. */
  os: string;
  /** Deno, V8 and TypeScript versions. */
  deno: string;
}

/**
 * Formats a value in its unit. Pure.
 *
 * @param value The value.
 * @param unit Its unit.
 * @returns E.g. `0.42 ms`, `0.83×`, `2000`, `12.3 KiB`.
 */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case "ms":
      return `${value.toFixed(2)} ms`;
    case "ratio":
      return `${value.toFixed(2)}×`;
    case "streams":
      return `${Math.round(value)}`;
    case "KiB":
      return `${value.toFixed(1)} KiB`;
    case "%":
      return `${value.toFixed(0)} %`;
  }
}

/** The verdict of a row (`"not run"` without a value). Pure. */
export function rowVerdict(row: MeasuredRow): Verdict {
  return verdict(row.value?.median, row.spec.target);
}

/**
 * Renders rows as a Markdown table: shape, measure, gateway (median of
 * rounds), bare proxy, target, result, spread over rounds, note. Pure.
 *
 * @param rows The measured rows, in table order.
 * @returns The table, one line per row after the header, no trailing newline.
 */
export function renderTable(rows: readonly MeasuredRow[]): string {
  const header = [
    "shape",
    "measure",
    "gateway",
    "bare proxy",
    "target",
    "result",
    "rounds",
    "note",
  ];
  const lines = rows.map((row) => {
    const { spec, value } = row;
    const bound = `${spec.target.kind === "max" ? "≤" : "≥"} ${
      formatValue(spec.target.limit, spec.unit)
    }`;
    const spread = value === undefined
      ? "-"
      : value.rounds.length === 1
      ? "1 round"
      : `${value.rounds.length} rounds, ${formatValue(value.min, spec.unit)} – ${
        formatValue(value.max, spec.unit)
      }`;
    return [
      spec.shape,
      spec.measure,
      value === undefined ? "-" : formatValue(value.median, spec.unit),
      row.proxy === undefined ? "-" : formatValue(row.proxy, spec.unit),
      bound,
      rowVerdict(row),
      spread,
      row.note ?? "",
    ];
  });
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...lines.map((cells) => `| ${cells.map(escape).join(" | ")} |`),
  ].join("\n");
}

/**
 * One line naming the machine. Pure.
 *
 * @param machine The machine.
 * @returns E.g. `AMD EPYC 7B13, 2 logical CPUs, 23.5 GiB, Linux 6.1, deno 2.9.6`.
 */
export function renderMachine(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.cores} logical CPUs, ${
    (machine.memoryMiB / 1024).toFixed(1)
  } GiB, ${machine.os}, ${machine.deno}`;
}
