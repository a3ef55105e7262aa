/**
 * Fault injection against the Bedrock emulator over real sockets: what
 * Bedrock (or the network) can do wrong, and what the client sees. Timeouts
 * and backoff run on fake timers the tests advance; nothing here waits on
 * real time to pass, except the back-pressure test's observation window
 * (documented there).
 */
import { answerScript, errorScript, hangScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import type { LedgerEntry } from "./ledger/ledger_entry.ts";
import { ENTRY_PREFIX } from "./ledger/roll_up_entry.ts";
import { unreachableRegionFirst } from "../testing/unreachable_region_first.ts";

/** Event names of an SSE text, in order. */
function eventNames(text: string): string[] {
  return [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]!);
}

/** The data of the final `event: error` of an SSE text. */
function finalError(text: string): { type: string; error: { type: string; message: string } } {
  const last = text.trimEnd().split("\n").at(-1)!;
  assert(last.startsWith("data: "), `no final data line in ${JSON.stringify(text.slice(-200))}`);
  return JSON.parse(last.slice("data: ".length));
}

Deno.test("throttling storm: retries with jittered backoff across regions, then answers", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    random: () => 0.5,
    regions: [{ region: "us-west-2" }],
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "4", CCGATE_RETRY_BASE_MS: "100" },
  });
  const [east, west] = stack.emulators;
  east!.enqueue(errorScript("ThrottlingException"), errorScript("ThrottlingException"));
  west!.enqueue(errorScript("ThrottlingException"), textAnswer("recovered"));
  const response = postMessages(stack.url, stack.token, { stream: true });
  // Full jitter with random 0.5: 50, 100, 200 ms before retries 1, 2, 3.
  for (const delay of [50, 100, 200]) {
    await timers.whenPending(delay);
    timers.advance(delay);
  }
  const answered = await response;
  assertEquals(answered.status, 200);
  assertStringIncludes(await answered.text(), "recovered");
  assertEquals(east!.requests.length, 2);
  assertEquals(west!.requests.length, 2);
  const failed = stack.logs.filter((r) => r.msg === "bedrock attempt failed");
  assertEquals(failed.map((r) => r.region), ["us-east-1", "us-west-2", "us-east-1"]);
  assertEquals(failed.map((r) => r.error), Array(3).fill("ThrottlingException"));
  assertEquals(stack.logs.find((r) => r.msg === "bedrock failover")?.region, "us-west-2");
  // The request's record names the region that answered: its log line and its ledger entry.
  assertEquals(stack.logs.find((r) => r.msg === "messages")?.region, "us-west-2");
  await stack.ledger.flush();
  const entries = await Array.fromAsync(stack.kv.list<LedgerEntry>({ prefix: ENTRY_PREFIX }));
  assertEquals(entries.map((e) => e.value.region), ["us-west-2"]);
  assertEquals(timers.pending, 0, "no timer left behind");
});

Deno.test("throttling storm: a 429 with retry-after once attempts run out, then the circuit opens", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    env: {
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
      CCGATE_BREAKER_FAILURES: "4",
      CCGATE_BREAKER_COOLDOWN_MS: "30000",
    },
  });
  for (let i = 0; i < 4; i++) stack.emulator.enqueue(errorScript("ThrottlingException"));
  for (let i = 0; i < 2; i++) {
    const throttled = await postMessages(stack.url, stack.token, { stream: true });
    assertEquals(throttled.status, 429);
    assertEquals((await throttled.json()).error.type, "rate_limit_error");
    assert(Number(throttled.headers.get("retry-after")) > 0, "our 429 computes a retry-after");
  }
  assertEquals(stack.emulator.requests.length, 4);

  const open = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(open.status, 529);
  assertEquals((await open.json()).error.type, "overloaded_error");
  assertEquals(open.headers.get("retry-after"), "30");
  assertEquals(stack.emulator.requests.length, 4, "an open circuit spares Bedrock");

  timers.advance(30_000);
  const probe = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(probe.status, 200, "the half-open probe succeeds and closes the circuit");
  await probe.body?.cancel();
  const after = await postMessages(stack.url, stack.token, {});
  assertEquals(after.status, 200);
  await after.body?.cancel();
});

Deno.test("5xx burst: retried with backoff until Bedrock answers; never retried after the first byte", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "4", CCGATE_RETRY_BASE_MS: "0" },
  });
  stack.emulator.enqueue(
    errorScript("ServiceUnavailableException"),
    errorScript("InternalServerException"),
    errorScript("ModelNotReadyException"),
    textAnswer("after the burst"),
  );
  const ok = await postMessages(stack.url, stack.token, { stream: false });
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).content[0].text, "after the burst");
  assertEquals(stack.emulator.requests.length, 4);

  stack.emulator.enqueue(
    answerScript(textAnswer(["one", "two"]), {
      failAfter: { events: 3, exception: "InternalServerException" },
    }),
  );
  const midStream = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(midStream.status, 200);
  const text = await midStream.text();
  assertEquals(eventNames(text).at(-1), "error");
  assertEquals(stack.emulator.requests.length, 5, "no retry once a byte went to the client");
});

Deno.test("a region that hangs: the first-byte timeout fails over to the next region", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    regions: [{ region: "us-west-2" }],
    env: {
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
      CCGATE_FIRST_BYTE_TIMEOUT_MS: "1000",
    },
  });
  const [east, west] = stack.emulators;
  east!.enqueue(hangScript());
  west!.enqueue(textAnswer("west"));
  const response = postMessages(stack.url, stack.token, { stream: true });
  const [hung] = await east!.waitForRequests(1);
  timers.advance(1000);
  const answered = await response;
  assertEquals(answered.status, 200);
  assertStringIncludes(await answered.text(), '"text":"west"');
  assertEquals(await hung!.closed, "aborted", "the hung call is closed, not leaked");
  const failed = stack.logs.find((r) => r.msg === "bedrock attempt failed");
  assertEquals(failed?.error, "UpstreamTimeoutError");
  assertEquals(timers.pending, 0);
});

Deno.test("a hung region with nowhere to go is a 504 timeout_error", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    env: { CCGATE_FIRST_BYTE_TIMEOUT_MS: "1000" },
  });
  stack.emulator.enqueue(hangScript());
  const response = postMessages(stack.url, stack.token, { stream: true });
  await stack.emulator.waitForRequests(1);
  timers.advance(1000);
  const answered = await response;
  assertEquals(answered.status, 504);
  const body = await answered.json();
  assertEquals(body.error.type, "timeout_error");
  assertStringIncludes(body.error.message, "first byte within 1000 ms");
});

Deno.test("an unreachable region (connection refused) fails over to the next", async () => {
  await using stack = await startGatewayStack(unreachableRegionFirst());
  stack.emulator.enqueue(textAnswer("reachable"));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  assertStringIncludes(await response.text(), "reachable");
  assertEquals(stack.logs.find((r) => r.msg === "bedrock attempt failed")?.region, "eu-west-1");
});

Deno.test("alternative inference profile: us. fails, global. answers", async () => {
  await using stack = await startGatewayStack({
    env: {
      CCGATE_FAILOVER_PROFILES: "global",
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
    },
  });
  stack.emulator.enqueue(errorScript("ServiceUnavailableException"), textAnswer("global"));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals(stack.emulator.requests.map((r) => r.modelId), [
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
  ]);
});

Deno.test("idle timeout mid-stream: a final event: error timeout_error, upstream closed", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    env: { CCGATE_IDLE_TIMEOUT_MS: "5000" },
  });
  stack.emulator.enqueue(answerScript(textAnswer(["partial"]), { hangAfter: 3 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (eventNames(text).length < 3) text += (await reader.read()).value ?? "";
  await timers.whenPending(5000);
  timers.advance(5000);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assertEquals(eventNames(text), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "error",
  ]);
  const error = finalError(text);
  assertEquals(error.error.type, "timeout_error");
  assertStringIncludes(error.error.message, "nothing for 5000 ms");
  assertEquals(await stack.emulator.requests[0]!.closed, "aborted");
  assertEquals(stack.logs.find((r) => r.msg === "messages")?.outcome, "upstream_error");
  assertEquals(timers.pending, 0);
});

Deno.test("total timeout mid-stream: a final event: error before the idle timeout", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    env: { CCGATE_TOTAL_TIMEOUT_MS: "60000", CCGATE_IDLE_TIMEOUT_MS: "100000" },
  });
  stack.emulator.enqueue(answerScript(textAnswer(["a"]), { hangAfter: 2 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  const text = response.body!.pipeThrough(new TextDecoderStream());
  const all = (async () => {
    let out = "";
    for await (const chunk of text) out += chunk;
    return out;
  })();
  await timers.whenPending(100_000);
  timers.advance(60_000);
  const error = finalError(await all);
  assertEquals(error.error.type, "timeout_error");
  assertStringIncludes(error.error.message, "did not finish within 60000 ms");
});

Deno.test("mid-stream connection reset: a clean final event: error, no retry, process fine", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_RETRY_MAX_ATTEMPTS: "3" } });
  stack.emulator.enqueue(answerScript(textAnswer(["one", "two"]), { resetAfter: 3 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  const text = await response.text();
  assertEquals(eventNames(text), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "error",
  ]);
  assertEquals(finalError(text).type, "error");
  assertEquals(stack.emulator.requests.length, 1);
  assertEquals(stack.emulator.requests[0]!.exception, null, "no exception frame was sent");
  const next = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(next.status, 200);
  await next.text();
});

for (const fault of ["corruptAt", "truncateAt"] as const) {
  Deno.test(`a ${fault === "corruptAt" ? "corrupted (bad CRC)" : "truncated"} event-stream frame: a clean final event: error`, async () => {
    await using stack = await startGatewayStack();
    stack.emulator.enqueue(answerScript(textAnswer(["one", "two"]), { [fault]: 3 }));
    const response = await postMessages(stack.url, stack.token, { stream: true });
    assertEquals(response.status, 200);
    const text = await response.text();
    assertEquals(eventNames(text), [
      "message_start",
      "content_block_start",
      "content_block_delta",
      "error",
    ]);
    assertEquals(finalError(text).error.type, "api_error");
    assertEquals(stack.logs.find((r) => r.msg === "messages")?.outcome, "upstream_error");
    const next = await postMessages(stack.url, stack.token, {});
    assertEquals(next.status, 200, "the process carries on");
    await next.body?.cancel();
  });
}
