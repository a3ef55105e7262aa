import { assertEquals, assertThrows } from "../testing/assert.ts";
import { BenchUsageError, FULL_PLAN, parseBenchOptions, QUICK_PLAN, SCENARIOS } from "./options.ts";

Deno.test("parseBenchOptions() defaults to the full run of every scenario, pinned, JSON in bench/results", () => {
  const options = parseBenchOptions([]);
  assertEquals(options.quick, false);
  assertEquals(options.plan, FULL_PLAN);
  assertEquals(options.only, [...SCENARIOS]);
  assertEquals(options.out, "bench/results/latest.json");
  assertEquals(options.pin, true);
  assertEquals(options.upstreamMs, 20);
  assertEquals(options.paceMs, 20);
  assertEquals(options.s2Rate, 100);
  assertEquals(options.request, "2.1.332");
});

Deno.test("parseBenchOptions() takes quick mode from --quick or BENCH_QUICK=1", () => {
  assertEquals(parseBenchOptions(["--quick"]).plan, QUICK_PLAN);
  assertEquals(parseBenchOptions([], { BENCH_QUICK: "1" }).quick, true);
  assertEquals(parseBenchOptions([], { BENCH_QUICK: "0" }).quick, false);
});

Deno.test("parseBenchOptions() reads rounds, scenarios in run order, output, pinning and profiling", () => {
  const options = parseBenchOptions([
    "--rounds",
    "5",
    "--only",
    "token,s1",
    "--out",
    "/tmp/x.json",
    "--no-pin",
    "--cpu-prof",
    "--upstream-ms",
    "0",
    "--s2-rate",
    "150",
    "--scale-levels",
    "2000,500",
    "--request",
    "2.1.197",
  ]);
  assertEquals(options.plan.rounds, 5);
  assertEquals(options.only, ["s1", "token"]);
  assertEquals(options.out, "/tmp/x.json");
  assertEquals(options.pin, false);
  assertEquals(options.cpuProf, true);
  assertEquals(options.upstreamMs, 0);
  assertEquals(options.s2Rate, 150);
  assertEquals(options.plan.scaleLevels, [500, 2000]);
  assertEquals(options.request, "2.1.197");
  assertEquals(FULL_PLAN.rounds, 3, "the default plan is not modified");
  assertEquals(FULL_PLAN.scaleLevels, [100, 250, 500, 1000, 2000, 3000]);
});

Deno.test("parseBenchOptions() refuses unknown flags, scenarios and bad numbers", () => {
  assertThrows(() => parseBenchOptions(["--fast"]), BenchUsageError, 'Cannot use "--fast"');
  assertThrows(() => parseBenchOptions(["--only", "s9"]), BenchUsageError, "scenarios are");
  assertThrows(() => parseBenchOptions(["--rounds", "0"]), BenchUsageError);
  assertThrows(() => parseBenchOptions(["--rounds"]), BenchUsageError);
  assertThrows(() => parseBenchOptions(["--out"]), BenchUsageError);
  assertThrows(() => parseBenchOptions(["--s2-rate", "0"]), BenchUsageError, "--s2-rate");
  assertThrows(() => parseBenchOptions(["--scale-levels", "500,x"]), BenchUsageError);
  assertThrows(
    () => parseBenchOptions(["--request", "2.0.0"]),
    BenchUsageError,
    "2.1.332, 2.1.197",
  );
});
