import { assertEquals } from "../testing/assert.ts";
import { cpuCount } from "./cpu_list.ts";

Deno.test("cpuCount() counts single CPUs and ranges of a taskset list", () => {
  assertEquals(cpuCount("0"), 1);
  assertEquals(cpuCount("0-2"), 3);
  assertEquals(cpuCount("0,2-4,7"), 5);
  assertEquals(cpuCount(""), 0);
});
