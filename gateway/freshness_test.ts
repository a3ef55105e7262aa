import { assertEquals } from "../testing/assert.ts";
import { Freshness, seconds } from "./freshness.ts";

Deno.test("Freshness logs going stale and fresh again once each, naming the last error", () => {
  let now = 0;
  const lines: Record<string, unknown>[] = [];
  const freshness = new Freshness({
    maxAgeMs: 1_000,
    now: () => new Date(now),
    log: (r) => lines.push(r as Record<string, unknown>),
    stale: { msg: "stale", event: "x_stale" },
    fresh: { msg: "fresh", event: "x_fresh" },
  });
  freshness.succeeded();
  assertEquals([freshness.stale, lines.length], [false, 0]);
  now = 1_500;
  freshness.failed("HTTP 503");
  freshness.update();
  freshness.update();
  assertEquals(lines, [{
    level: "warn",
    msg: "stale",
    event: "x_stale",
    ageMs: 1_500,
    maxAgeMs: 1_000,
    error: "HTTP 503",
  }]);
  freshness.succeeded();
  assertEquals(lines.at(-1), { level: "info", msg: "fresh", event: "x_fresh" });
  assertEquals([freshness.lastError, lines.length, seconds(1_550)], [undefined, 2, "1.6 s"]);
});
