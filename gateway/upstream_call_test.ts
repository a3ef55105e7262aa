import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { UpstreamTimeoutError } from "./errors.ts";
import { GuardedEvents, UpstreamCall } from "./upstream_call.ts";

const TIMEOUTS = { firstByteMs: 100, idleMs: 1_000, totalMs: 10_000 };

async function* events(values: string[]) {
  yield* values;
}

Deno.test("UpstreamCall ends a stream quiet for idleMs, and each event restarts the clock", () => {
  const timers = new FakeTimers();
  const call = new UpstreamCall(timers, TIMEOUTS, undefined);
  call.start(undefined);
  call.streaming();
  timers.advance(900);
  call.touch();
  timers.advance(900);
  assert(!call.ended, "an event 900 ms in restarted the idle clock");
  timers.advance(100);
  assert(call.ended);
  assert(call.reason instanceof UpstreamTimeoutError && call.reason.kind === "idle");
  call.finish();
  assertEquals(timers.pending, 0, "finish() clears every timer");
});

Deno.test("UpstreamCall follows the caller's abort, and its sleep() ends with it", async () => {
  const timers = new FakeTimers();
  const caller = new AbortController();
  const call = new UpstreamCall(timers, TIMEOUTS, caller.signal);
  call.start(undefined);
  const sleeping = call.sleep(5_000);
  caller.abort(new Error("client went away"));
  assert(call.signal.aborted);
  await assertRejects(() => sleeping, Error, "client went away");
  call.finish();
});

Deno.test("UpstreamCall times out the whole call after totalMs", () => {
  const timers = new FakeTimers();
  const call = new UpstreamCall(timers, TIMEOUTS, undefined);
  call.start(undefined);
  timers.advance(10_000);
  assert(call.reason instanceof UpstreamTimeoutError && call.reason.kind === "total");
  call.finish();
});

Deno.test("GuardedEvents yields the first event, then the rest, and finishes the call at the end", async () => {
  const timers = new FakeTimers();
  const call = new UpstreamCall(timers, TIMEOUTS, undefined);
  call.start(undefined);
  call.streaming();
  const stream = new GuardedEvents("a", events(["b", "c"]), call, new AbortController());
  const seen: unknown[] = [];
  for await (const event of stream) seen.push(event);
  assertEquals(seen, ["a", "b", "c"]);
  assertEquals(timers.pending, 0, "the call is finished: no timer left");
});

Deno.test("GuardedEvents.return() aborts the attempt and finishes the call", async () => {
  const timers = new FakeTimers();
  const call = new UpstreamCall(timers, TIMEOUTS, undefined);
  call.start(undefined);
  const attempt = new AbortController();
  const stream = new GuardedEvents("a", events(["b"]), call, attempt);
  await stream.next();
  await stream.return();
  assert(attempt.signal.aborted);
  assertEquals(await stream.next(), { done: true, value: undefined });
  assertEquals(timers.pending, 0);
});
