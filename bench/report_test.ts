import { assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { summarizeRounds } from "./percentiles.ts";
import { formatValue, renderMachine, renderTable, rowVerdict } from "./report.ts";
import { TARGETS } from "./targets.ts";

const spec = (id: string) => TARGETS.find((t) => t.id === id)!;

Deno.test("formatValue() prints each unit its own way", () => {
  assertEquals(formatValue(0.4249, "ms"), "0.42 ms");
  assertEquals(formatValue(76.4, "%"), "76 %");
  assertEquals(formatValue(0.834, "ratio"), "0.83×");
  assertEquals(formatValue(1999.6, "streams"), "2000");
  assertEquals(formatValue(12.34, "KiB"), "12.3 KiB");
});

Deno.test("rowVerdict() judges the median of the rounds, and a row without value is not run", () => {
  assertEquals(
    rowVerdict({ spec: spec("s1_added_median"), value: summarizeRounds([0.5, 3, 0.9]) }),
    "pass",
  );
  assertEquals(
    rowVerdict({ spec: spec("s1_added_median"), value: summarizeRounds([1.5, 0.2, 2]) }),
    "miss",
  );
  assertEquals(rowVerdict({ spec: spec("s1_added_median") }), "not run");
});

Deno.test("renderTable() renders a Markdown table with value, proxy, target, verdict and spread", () => {
  const table = renderTable([
    { spec: spec("s1_added_median"), value: summarizeRounds([0.5, 0.7, 0.6]), proxy: 0.2 },
    { spec: spec("s2_ratio"), value: summarizeRounds([0.5]), note: "gw 300 | proxy 600 req/s" },
    { spec: spec("helper_token"), note: "skipped" },
  ]);
  const lines = table.split("\n");
  assertEquals(lines.length, 5);
  assertEquals(
    lines[0],
    "| shape | measure | gateway | bare proxy | target | result | rounds | note |",
  );
  assertEquals(
    lines[2],
    "| S1 one at a time, non-stream | added latency median vs direct | 0.60 ms | 0.20 ms | ≤ 1.00 ms | pass | 3 rounds, 0.50 ms – 0.70 ms |  |",
  );
  assertStringIncludes(
    lines[3]!,
    "| 0.50× | - | ≥ 0.70× | miss | 1 round | gw 300 \\| proxy 600 req/s |",
  );
  assertStringIncludes(lines[4]!, "| - | - | ≤ 100.00 ms | not run | - | skipped |");
});

Deno.test("renderMachine() names CPU, cores, memory, OS and Deno", () => {
  assertEquals(
    renderMachine({
      cpu: "Test CPU",
      cores: 2,
      memoryMiB: 2048,
      os: "linux 6.1",
      deno: "deno 2.9.6",
    }),
    "Test CPU, 2 logical CPUs, 2.0 GiB, linux 6.1, deno 2.9.6",
  );
});
