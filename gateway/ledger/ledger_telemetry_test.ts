import { assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { GatewayMetrics } from "../gateway_metrics.ts";
import type { LogRecord } from "../log.ts";
import { LedgerTelemetry } from "./ledger_telemetry.ts";

function telemetry(): { lines: LogRecord[]; metrics: GatewayMetrics; t: LedgerTelemetry } {
  const lines: LogRecord[] = [];
  const metrics = new GatewayMetrics();
  return { lines, metrics, t: new LedgerTelemetry((r) => lines.push(r), metrics) };
}

Deno.test("LedgerTelemetry.buffered() sets the buffered-entries gauge", () => {
  const { metrics, t } = telemetry();
  t.buffered(7);
  t.buffered(3);
  assertEquals(metrics.value("ccgate_ledger_buffered_entries"), 3);
});

Deno.test("LedgerTelemetry.dropped() counts the entries and logs one error with the count", () => {
  const { lines, metrics, t } = telemetry();
  t.dropped(3);
  assertEquals(metrics.value("ccgate_ledger_dropped_total"), 3);
  assertEquals(lines, [{
    level: "error",
    msg: "usage ledger buffer full: entries dropped",
    dropped: 3,
  }]);
});

Deno.test("LedgerTelemetry.writeFailed() counts one failure and logs the error's name, never its message", () => {
  const { lines, metrics, t } = telemetry();
  t.writeFailed(5, Object.assign(new Error("secret detail"), { name: "TypeError" }));
  t.writeFailed(1, "not an error");
  assertEquals(metrics.value("ccgate_ledger_write_failures_total"), 2);
  assertEquals(lines, [
    { level: "warn", msg: "usage ledger write failed; will retry", entries: 5, error: "TypeError" },
    { level: "warn", msg: "usage ledger write failed; will retry", entries: 1, error: "string" },
  ]);
});

Deno.test("LedgerTelemetry.written() counts the entries written ahead", () => {
  const { lines, metrics, t } = telemetry();
  t.written(4);
  t.written(2);
  assertEquals(metrics.value("ccgate_ledger_entries_written_total"), 6);
  assertEquals(lines, []);
});

Deno.test("LedgerTelemetry.tooLarge() counts each entry as a write failure and logs its request id", () => {
  const { lines, metrics, t } = telemetry();
  t.tooLarge([
    { entry: ledgerEntry({ requestId: "req_a" }) },
    { entry: ledgerEntry({ requestId: "req_b" }), until: 1 },
  ]);
  assertEquals(metrics.value("ccgate_ledger_write_failures_total"), 2);
  assertEquals(lines.map((l) => [l.level, l.msg, l.request_id]), [
    ["error", "usage ledger entry too large to write: dropped", "req_a"],
    ["error", "usage ledger entry too large to write: dropped", "req_b"],
  ]);
});

Deno.test("LedgerTelemetry without a log or metrics reports nowhere", () => {
  const t = new LedgerTelemetry(undefined, undefined);
  t.buffered(1);
  t.dropped(1);
  t.writeFailed(1, new Error("x"));
  t.written(1);
  t.tooLarge([{ entry: ledgerEntry() }]);
});
