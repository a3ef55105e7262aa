/**
 * Fault injection, the load side: a client that reads nothing, a thousand
 * clients that leave, more streams than allowed, and a shutdown with streams
 * in flight — over real sockets, against the Bedrock emulator.
 */
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { openStream, postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { estimateCallMemory } from "./memory_budget.ts";

const FRAME_TEXT = "x".repeat(64 * 1024);
const FRAMES = 1024;

Deno.test("slow client: the gateway does not buffer the answer (back-pressure reaches Bedrock)", async () => {
  await using stack = await startGatewayStack();
  // 1,024 deltas of 64 KiB: 64 MiB of answer, far more than every socket buffer on the way.
  stack.emulator.enqueue(textAnswer(Array(FRAMES).fill(FRAME_TEXT)));
  const controller = new AbortController();
  const response = await postMessages(stack.url, stack.token, { stream: true }, controller.signal);
  assertEquals(response.status, 200);
  const [upstream] = await stack.emulator.waitForRequests(1);
  // Observe until the emulator stops being able to write. A gateway that buffered would read
  // everything in well under a second; a correct one stalls at the socket buffers and stays
  // there however long this waits, so the assertion cannot fail because of timing.
  let stable = 0;
  let last = -1;
  while (stable < 5 && upstream!.framesSent < FRAMES) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    stable = upstream!.framesSent === last ? stable + 1 : 0;
    last = upstream!.framesSent;
  }
  const sent = upstream!.framesSent;
  console.log(`frames written while the client read nothing: ${sent} of ${FRAMES}`);
  assert(sent < FRAMES / 2, `${sent} of ${FRAMES} frames left the emulator: the gateway buffers`);
  // Now the client reads: everything arrives, in order.
  const reader = response.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  assert(bytes > FRAMES * FRAME_TEXT.length, "the whole answer arrives once read");
  assertEquals(await upstream!.closed, "completed");
});

Deno.test("1,000 client aborts: every upstream closed, no call, timer or stream left, process fine", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    emulator: { defaultScript: () => answerScript(textAnswer(["x"]), { hangAfter: 2 }) },
  });
  const TOTAL = 1_000;
  const BATCH = 100;
  for (let start = 0; start < TOTAL; start += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, async () => {
      const stream = await openStream(stack);
      await stream.close();
    }));
  }
  const upstreams = await stack.emulator.waitForRequests(TOTAL);
  const outcomes = await Promise.all(upstreams.map((r) => r.closed));
  assertEquals(outcomes.filter((o) => o === "aborted").length, TOTAL, "every upstream closed");
  await stack.lifecycle.whenIdle();
  assertEquals(stack.lifecycle.active, 0);
  assertEquals(timers.pending, 0, "no total/idle timer leaked");
  const records = stack.logs.filter((r) => r.msg === "messages");
  assertEquals(records.length, TOTAL, "one completion record per request");
  assert(records.every((r) => r.outcome === "client_aborted"));
  assert(!stack.logs.some((r) => r.msg === "unhandled error"));
  stack.emulator.enqueue(textAnswer("still here"));
  const after = await postMessages(stack.url, stack.token, {});
  assertEquals(after.status, 200, "the process survives");
  await after.body?.cancel();
  // Deno's op and resource sanitizers then check that no timer, socket or stream is left.
});

Deno.test("load shedding: 529 overloaded_error beyond the concurrent stream limit, before Bedrock", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_MAX_CONCURRENT_STREAMS: "2" },
    emulator: { defaultScript: () => answerScript(textAnswer(["x"]), { hangAfter: 2 }) },
  });
  const open = await Promise.all([0, 1].map(() => openStream(stack)));
  assertEquals(stack.lifecycle.active, 2);
  const shed = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(shed.status, 529);
  const body = await shed.json();
  assertEquals(body.error.type, "overloaded_error");
  assertStringIncludes(body.error.message, "concurrency limit");
  assertEquals(shed.headers.get("retry-after"), "1");
  assertEquals(stack.metrics.value("ccgate_load_shed_total", { reason: "concurrency" }), 1);
  assertEquals(stack.emulator.requests.length, 2, "a shed request never reaches Bedrock");
  assertEquals(
    (await fetch(`${stack.url}/healthz`)).status,
    200,
    "probes still answer while shedding",
  );

  await open[0]!.close();
  await stack.lifecycle.whenIdle(1);
  stack.emulator.enqueue(textAnswer("admitted"));
  const admitted = await postMessages(stack.url, stack.token, { stream: false });
  assertEquals(admitted.status, 200, "a freed slot admits the next request");
  await admitted.body?.cancel();
  await open[1]!.close();
  assertEquals((await Promise.all(stack.emulator.requests.map((r) => r.closed))).length, 3);
});

Deno.test("load shedding: 529 beyond the memory budget, by request size; 413 for a body too large for it alone", async () => {
  // 162 MiB: a budget of 0.8 × 162 − 128 = 1.6 MiB: three small calls (0.5 MiB each), no fourth.
  // One user sends them all here: no share per user (see the next test for that).
  await using stack = await startGatewayStack({
    env: { CCGATE_MEMORY_LIMIT_MB: "162", CCGATE_MEMORY_USER_PERCENT: "100" },
    emulator: { defaultScript: () => answerScript(textAnswer(["x"]), { hangAfter: 2 }) },
  });
  const first = await openStream(stack);
  // A long request (150 KB, about 1.5 MiB) does not fit beside one open stream.
  const long = [{ role: "user", content: "x".repeat(150_000) }];
  const shed = await postMessages(stack.url, stack.token, { messages: long });
  assertEquals(shed.status, 529);
  const body = await shed.json();
  assertEquals(body.error.type, "overloaded_error");
  assertStringIncludes(body.error.message, "memory budget");
  assertEquals(shed.headers.get("retry-after"), "1");
  // Small ones do.
  const second = await openStream(stack);
  const third = await openStream(stack);
  assertEquals(stack.lifecycle.active, 3);
  const fourth = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(fourth.status, 529, "the fourth small stream does not fit");
  await fourth.body?.cancel();
  // Far too large for the budget even alone: 413, whatever is in flight.
  const huge = await postMessages(stack.url, stack.token, {
    messages: [{ role: "user", content: "x".repeat(400_000) }],
  });
  assertEquals(huge.status, 413);
  assertEquals((await huge.json()).error.type, "request_too_large");
  assertEquals(stack.metrics.value("ccgate_load_shed_total", { reason: "memory" }), 2);
  assertEquals(stack.metrics.value("ccgate_load_shed_total", { reason: "too_large" }), 1);
  assertEquals(stack.emulator.requests.length, 3, "refused requests never reach Bedrock");
  assertEquals(
    stack.metrics.value("ccgate_memory_in_flight_bytes"),
    stack.lifecycle.reservedBytes,
  );

  for (const open of [first, second, third]) await open.close();
  await stack.lifecycle.whenIdle(0);
  assertEquals(stack.lifecycle.reservedBytes, 0, "every reservation released");
  stack.emulator.enqueue(textAnswer("admitted"));
  const admitted = await postMessages(stack.url, stack.token, { messages: long });
  assertEquals(admitted.status, 200, "alone, the 150 KB request fits");
  await admitted.body?.cancel();
  await Promise.all(stack.emulator.requests.map((r) => r.closed));
});

Deno.test("memory budget per user: a slow upload holds at most the user's share; her next request gets 429, another user's is served", async () => {
  // 512 MiB: a budget of 281.6 MiB, 60 % of it (169 MiB) for one user's requests together.
  await using stack = await startGatewayStack({ env: { CCGATE_MEMORY_LIMIT_MB: "512" } });
  const mallory = await stack.issuer.mint({ claims: { sub: "mallory" } });
  const bob = await stack.issuer.mint({ claims: { sub: "bob" } });
  const { port } = new URL(stack.url);
  const slowUpload = async (declared: number) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    const head =
      `POST /v1/messages HTTP/1.1\r\nhost: ccgate\r\nauthorization: Bearer ${mallory}\r\n` +
      `content-type: application/json\r\ncontent-length: ${declared}\r\n\r\n{"model":`;
    await conn.write(new TextEncoder().encode(head));
    return conn;
  };
  // 32 MiB declared would hold nearly the whole budget: 413 before the body is read.
  const whole = await slowUpload(32 * 1024 * 1024 - 64);
  const answer = new Uint8Array(4096);
  const n = await whole.read(answer);
  whole.close();
  const text = new TextDecoder().decode(answer.subarray(0, n ?? 0));
  assertStringIncludes(text.split("\r\n")[0]!, "413");
  assertStringIncludes(text, "one user's share");

  const slow = await slowUpload(20 * 1024 * 1024);
  try {
    // Waits for a condition (the reservation counted against her), not for a time.
    while (stack.lifecycle.reservedBy("mallory") === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assertEquals(stack.lifecycle.reservedBy("mallory"), estimateCallMemory(20 * 1024 * 1024));

    const sixMegabytes = [{ role: "user", content: "x".repeat(6_000_000) }];
    const hers = await postMessages(stack.url, mallory, { messages: sixMegabytes });
    assertEquals(hers.status, 429);
    const body = await hers.json();
    assertEquals(body.error.type, "rate_limit_error");
    assertStringIncludes(body.error.message, "one user may hold at most 169 MiB");
    assertEquals(hers.headers.get("retry-after"), "1");
    assertEquals(stack.metrics.value("ccgate_load_shed_total", { reason: "user_share" }), 1);
    assert(
      stack.logs.some((r) =>
        r.msg === "messages" && r.user === "mallory" && r.error_type === "memory_share_exceeded"
      ),
      "the refusal is logged with the request and its user",
    );

    stack.emulator.enqueue(textAnswer("served"));
    const his = await postMessages(stack.url, bob, { messages: sixMegabytes });
    assertEquals(his.status, 200, "another user is not held back by her upload");
    await his.body?.cancel();
  } finally {
    slow.close();
  }
  // She leaves mid-upload: the request ends and its reservation is given back.
  while (stack.lifecycle.reservedBytes > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(stack.lifecycle.reservedBy("mallory"), 0);
  assertEquals(stack.emulator.requests.length, 1, "only his reached Bedrock");
});

Deno.test("drain(): running streams finish, the rest end with event: error at the deadline, hooks run last", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({ timers });
  const order: string[] = [];
  stack.lifecycle.onDrain(() => {
    order.push("ledger flushed");
  });
  // A: hangs after two events. B: 16 MiB its client has not read yet, held up by back-pressure.
  stack.emulator.enqueue(
    answerScript(textAnswer(["a"]), { hangAfter: 2 }),
    textAnswer(Array(256).fill(FRAME_TEXT)),
  );
  const a = await postMessages(stack.url, stack.token, { stream: true });
  await stack.emulator.waitForRequests(1);
  const b = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(stack.lifecycle.active, 2);

  const drained = stack.lifecycle.drain(10_000);
  const refused = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(refused.status, 529, "no new work while draining");
  assertEquals((await refused.json()).error.type, "overloaded_error");
  assertEquals(refused.headers.get("connection"), "close");

  const bText = await b.text();
  order.push("b finished");
  assertEquals(bText.trimEnd().split("\n").at(-1), 'data: {"type":"message_stop"}');
  await timers.whenPending(10_000);
  timers.advance(10_000);
  const aText = await a.text();
  const last = JSON.parse(aText.trimEnd().split("\n").at(-1)!.slice("data: ".length));
  assertEquals(last.error.type, "overloaded_error");
  assertStringIncludes(last.error.message, "restarting");
  assertEquals(await drained, { finished: 1, ended: 1, hookFailures: 0 });
  assertEquals(order, ["b finished", "ledger flushed"]);
  assertEquals(stack.lifecycle.active, 0);
});
