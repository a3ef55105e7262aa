import { assertEquals } from "../testing/assert.ts";
import { cronBeforeListen, type CronFn } from "./cron_before_listen.ts";

/** A cron scheduler that records registrations and runs a job when the test says. */
function fakeCron() {
  const jobs: { name: string; schedule: string; handler: () => Promise<void> }[] = [];
  const cron: CronFn = (name, schedule, handler) => {
    jobs.push({ name, schedule, handler });
    return new Promise<void>(() => {});
  };
  return { cron, jobs };
}

Deno.test("cronBeforeListen() registers the job at once, before its handler's value exists", () => {
  const { cron, jobs } = fakeCron();
  cronBeforeListen(cron, "rotate", "*/15 * * * *", (_: string) => {});
  assertEquals(jobs.map((j) => [j.name, j.schedule]), [["rotate", "*/15 * * * *"]]);
});

Deno.test("cronBeforeListen(): a run before ready() waits for the value, then runs with it", async () => {
  const { cron, jobs } = fakeCron();
  const calls: string[] = [];
  const job = cronBeforeListen(cron, "rotate", "*/15 * * * *", (keys: string) => {
    calls.push(keys);
  });
  let finished = false;
  const run = jobs[0]!.handler().then(() => (finished = true));
  await Promise.resolve();
  assertEquals([calls, finished], [[], false], "nothing runs before the value is ready");
  job.ready("keys");
  await run;
  assertEquals(calls, ["keys"]);
  await jobs[0]!.handler();
  assertEquals(calls, ["keys", "keys"], "later runs use the same value at once");
});

Deno.test("cronBeforeListen(): a handler's failure reaches the cron runner", async () => {
  const { cron, jobs } = fakeCron();
  const job = cronBeforeListen(cron, "rotate", "* * * * *", (_: number) => {
    throw new Error("KV unavailable");
  });
  job.ready(1);
  const error = await jobs[0]!.handler().then(() => undefined, (err: Error) => err.message);
  assertEquals(error, "KV unavailable");
});
