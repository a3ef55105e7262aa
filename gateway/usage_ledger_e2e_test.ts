import { answerScript, errorScript, hangScript, textAnswer } from "@ccgate/emulators";
import type { AnthropicStreamEvent } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { dayOf, type LedgerEntry, type OpenRecord } from "./ledger/ledger_entry.ts";
import { ENTRY_PREFIX, OPEN_PREFIX, openKey } from "./ledger/roll_up_entry.ts";
import { UsageLedger } from "./ledger/usage_ledger.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { costUsd, type ModelPrice } from "./model_price.ts";
import { StreamMeter } from "./stream_meter.ts";
import { EMPTY_USAGE, readUsage, type TokenUsage } from "./usage.ts";

const PRICE: ModelPrice = {
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
  cacheWrite1h: 6,
};
const PROMPT = "PROMPT-CANARY-5d1e what is the capital of France?";

/** The usage the emulator reported in the first `frames` events it sent. */
function reported(events: readonly AnthropicStreamEvent[], frames: number): TokenUsage {
  let usage: TokenUsage = { ...EMPTY_USAGE };
  for (const e of events.slice(0, frames)) {
    if (e.type === "message_start") usage = readUsage(e.message.usage, usage);
    if (e.type === "message_delta") usage = readUsage(e.usage, usage);
  }
  return usage;
}

/**
 * What the ledger records of a stream that sent its first `frames` events:
 * the reported usage, or, cut before the final count, the output estimated
 * from the events sent (as the emulator encodes them).
 */
function recorded(events: readonly AnthropicStreamEvent[], frames: number): TokenUsage {
  const meter = new StreamMeter();
  for (const e of events.slice(0, frames)) meter.read(new TextEncoder().encode(JSON.stringify(e)));
  return meter.usage(reported(events, frames));
}

Deno.test("usage ledger: N requests of mixed outcomes give exactly N entries whose tokens match what the emulator sent", async () => {
  await using stack = await startGatewayStack({ priceOf: () => PRICE });
  const answer = (n: number) =>
    textAnswer(`answer number ${n} with some words`, {
      usage: { input_tokens: 100 + n, cache_read_input_tokens: 10 * n, output_tokens: 20 + n },
    });
  const scripts: { events: readonly AnthropicStreamEvent[]; kind: string }[] = [];
  const expect = (events: readonly AnthropicStreamEvent[], kind: string) => {
    scripts.push({ events, kind });
  };

  // 1, 2: completed, streamed and not.
  for (const stream of [false, true]) {
    const events = answer(scripts.length);
    stack.emulator.enqueue(events);
    expect(events, "completed");
    const res = await postMessages(stack.url, stack.token, {
      stream,
      messages: [{ role: "user", content: PROMPT }],
    });
    assertEquals(res.status, 200);
    await res.text();
  }
  // 3: throttled by Bedrock before the first byte.
  stack.emulator.enqueue(errorScript("ThrottlingException"));
  expect([], "throttled");
  const throttled = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(throttled.status, 429);
  await throttled.body?.cancel();
  // 4: a mid-stream Bedrock failure after 3 events.
  {
    const events = answer(scripts.length);
    stack.emulator.enqueue(answerScript(events, { failAfter: { events: 3 } }));
    expect(events, "upstream_error");
    const res = await postMessages(stack.url, stack.token, { stream: true });
    assertEquals(res.status, 200);
    assert((await res.text()).includes("event: error"));
  }
  // 5: the client goes away mid-stream.
  {
    const events = answer(scripts.length);
    stack.emulator.enqueue(answerScript(events, { hangAfter: 3 }));
    expect(events, "client_aborted");
    const client = new AbortController();
    const res = await postMessages(stack.url, stack.token, { stream: true }, client.signal);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("content_block_delta")) text += (await reader.read()).value ?? "";
    client.abort();
    await reader.cancel().catch(() => {});
    const [, , , , upstream] = await stack.emulator.waitForRequests(5);
    assertEquals(await upstream!.closed, "aborted");
  }
  // 6: OpenAI-shaped chat completion, streamed.
  {
    const events = answer(scripts.length);
    stack.emulator.enqueue(events);
    expect(events, "completed");
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5-20250929",
        stream: true,
        messages: [{ role: "user", content: PROMPT }],
      }),
    });
    assertEquals(res.status, 200);
    await res.text();
  }
  // 7, 8: Bedrock-native InvokeModel, and InvokeModelWithResponseStream failing mid-stream.
  for (const stream of [false, true]) {
    const events = answer(scripts.length);
    stack.emulator.enqueue(stream ? answerScript(events, { failAfter: { events: 4 } }) : events);
    expect(events, stream ? "upstream_error" : "completed");
    const model = encodeURIComponent("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    const res = await fetch(
      `${stack.url}/model/${model}/${stream ? "invoke-with-response-stream" : "invoke"}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
        body: JSON.stringify({
          anthropic_version: "bedrock-2023-05-31",
          max_tokens: 64,
          messages: [{ role: "user", content: PROMPT }],
        }),
      },
    );
    assertEquals(res.status, 200);
    await res.arrayBuffer();
  }
  // 9: refused before Bedrock (a malformed body): recorded, no tokens.
  const bad = await postMessages(stack.url, stack.token, { max_tokens: "lots" });
  assertEquals(bad.status, 400);
  await bad.text();

  const N = 9;
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(entries.length, N, "exactly one entry per request");
  assertEquals(new Set(entries.map((e) => e.requestId)).size, N);

  const upstream = stack.emulator.requests;
  assertEquals(upstream.length, scripts.length);
  let expected: TokenUsage = { ...EMPTY_USAGE };
  let expectedCost = 0;
  for (const [i, s] of scripts.entries()) {
    const r = upstream[i]!;
    const u = r.status === 200
      ? recorded(s.events, r.operation === "InvokeModel" ? s.events.length : r.framesSent)
      : EMPTY_USAGE;
    expected = {
      inputTokens: expected.inputTokens + u.inputTokens,
      outputTokens: expected.outputTokens + u.outputTokens,
      cacheReadInputTokens: expected.cacheReadInputTokens + u.cacheReadInputTokens,
      cacheCreationInputTokens: expected.cacheCreationInputTokens + u.cacheCreationInputTokens,
    };
    expectedCost += costUsd(u, PRICE);
  }
  const sum = (f: (e: (typeof entries)[number]) => number) => entries.reduce((n, e) => n + f(e), 0);
  assertEquals(sum((e) => e.inputTokens), expected.inputTokens);
  assertEquals(sum((e) => e.outputTokens), expected.outputTokens);
  assertEquals(sum((e) => e.cacheReadTokens), expected.cacheReadInputTokens);
  assertEquals(sum((e) => e.cacheWriteTokens), expected.cacheCreationInputTokens);
  assert(Math.abs(sum((e) => e.costUsd ?? 0) - expectedCost) < 1e-12, "cost");

  const outcomes = entries.map((e) => `${e.route}:${e.outcome}:${e.errorType ?? ""}`).sort();
  assertEquals(outcomes, [
    "bedrock_invoke:completed:",
    "bedrock_invoke_stream:upstream_error:ModelStreamErrorException",
    "chat_completions:completed:",
    "messages:client_aborted:client_aborted",
    "messages:completed:",
    "messages:completed:",
    "messages:rejected:invalid_request",
    "messages:upstream_error:ModelStreamErrorException",
    "messages:upstream_error:ThrottlingException",
  ]);
  const aborted = entries.find((e) => e.outcome === "client_aborted")!;
  assert(aborted.outputTokens > 1 && aborted.inputTokens > 0, "what was streamed so far is kept");
  // Cut streams hold the estimate of what they sent, and say so; the others Bedrock's count.
  assertEquals(
    entries.filter((e) => e.estimated).map((e) => e.outcome).sort(),
    ["client_aborted", "upstream_error", "upstream_error"],
  );
  assert(entries.every((e) => e.user === "00000000-0000-0000-0000-00000000a11c"));

  // The log has one record per request too, and never the token or the prompt.
  const records = stack.logs.filter((r) =>
    ["messages", "chat_completions", "bedrock_invoke", "bedrock_invoke_stream"].includes(r.msg)
  );
  assertEquals(records.length, N);
  for (const line of stack.logLines) {
    assert(!line.includes(stack.token), "a log line holds the token");
    assert(!line.includes("PROMPT-CANARY"), "a log line holds prompt text");
    assert(!line.includes("answer number"), "a log line holds response text");
  }

  // /metrics agrees.
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  assert(
    metrics.includes('ccgate_upstream_errors_total{route="messages",type="ThrottlingException"} 1'),
  );
  assert(metrics.includes('ccgate_active_streams{route="messages"} 0'));
});

Deno.test("usage ledger: an open stream has an open record in KV (what another instance rolls up if this one dies), gone when its entry is written", async () => {
  await using stack = await startGatewayStack({ priceOf: () => PRICE });
  const events = textAnswer("a long answer that never ends", {
    usage: { input_tokens: 1234, output_tokens: 1 },
  });
  stack.emulator.enqueue(answerScript(events, { hangAfter: 2 }));
  const res = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(res.status, 200);
  const requestId = res.headers.get("request-id")!;
  const reader = res.body!.getReader();
  await reader.read(); // the stream is open
  await stack.ledger.durable();
  const records = [];
  for await (const r of stack.kv.list<OpenRecord>({ prefix: OPEN_PREFIX })) records.push(r);
  assertEquals(records.length, 1);
  const open = records[0]!.value;
  assertEquals(records[0]!.key, openKey(open.until, requestId));
  assertEquals(open.entry.requestId, requestId);
  assertEquals(open.entry.outcome, "interrupted");
  assertEquals([open.entry.route, open.entry.stream, open.entry.status], ["messages", true, 200]);
  assert(open.entry.user.length > 0 && open.entry.bedrockModel !== null);
  assertEquals(open.entry.inputTokens, 1234, "the prompt, from the first event");
  assertEquals(open.entry.outputTokens, 1, "message_start's count");
  const known = { ...EMPTY_USAGE, inputTokens: 1234, outputTokens: 1 };
  assertEquals(open.entry.costUsd, costUsd(known, PRICE));
  const started = Date.parse(open.entry.at);
  // No stream outlives the total timeout (30 min by default); 10 minutes of margin.
  assertEquals(open.until, started + 30 * 60_000 + 10 * 60_000);

  await reader.cancel();
  // The abort is recorded when the gateway sees it: wait for the entry, not for a time.
  let entry: LedgerEntry | null = null;
  while (entry === null) {
    await stack.ledger.flush();
    entry =
      (await stack.kv.get<LedgerEntry>([...ENTRY_PREFIX, dayOf(new Date(started)), requestId]))
        .value;
    if (entry === null) await new Promise((r) => setTimeout(r, 5));
  }
  assertEquals(entry.outcome, "client_aborted");
  assertEquals((await stack.kv.get(openKey(open.until, requestId))).value, null);
});

Deno.test("usage ledger: an open stream's record follows the output it streams (every CCGATE_LEDGER_OPEN_REFRESH_MS), so a gateway that dies mid-stream is charged it", async () => {
  await using stack = await startGatewayStack({
    priceOf: () => PRICE,
    env: { CCGATE_LEDGER_OPEN_REFRESH_MS: "2000" },
  });
  const pieces = Array.from({ length: 6 }, () => "lorem ipsum dolor sit amet ".repeat(4));
  const events = textAnswer(pieces, { usage: { input_tokens: 1234, output_tokens: 1 } });
  stack.emulator.enqueue(answerScript(events, { hangAfter: 5 })); // start, block start, 3 deltas
  const res = await postMessages(stack.url, stack.token, { stream: true, max_tokens: 1024 });
  const requestId = res.headers.get("request-id")!;
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while ((seen.match(/content_block_delta/g) ?? []).length < 3) seen += (await reader.read()).value;

  stack.background.advance(1_999);
  await stack.ledger.durable();
  const before = await Array.fromAsync(stack.kv.list<OpenRecord>({ prefix: OPEN_PREFIX }));
  assertEquals(before[0]!.value.entry.outputTokens, 1, "not refreshed before the interval");
  stack.background.advance(1);
  await stack.ledger.durable();
  const [record] = await Array.fromAsync(stack.kv.list<OpenRecord>({ prefix: OPEN_PREFIX }));
  const open = record!.value.entry;
  assertEquals(open.requestId, requestId);
  const streamed = recorded(events, 5);
  assert(streamed.outputTokens >= 3 * 27, "three deltas of 108 characters");
  assertEquals([open.outputTokens, open.estimated], [streamed.outputTokens, true]);
  assertEquals(open.costUsd, costUsd(streamed, PRICE));

  // Another instance's sweep, once the stream can no longer be running, rolls that up.
  const other = new UsageLedger({
    kv: stack.kv,
    timers: new FakeTimers(),
    clock: () => record!.value.until,
  });
  const [swept] = await other.sweep();
  assertEquals(swept!.outcome, "interrupted");
  assertEquals([swept!.inputTokens, swept!.outputTokens], [1234, streamed.outputTokens]);
  await other.close();
  await reader.cancel();
});

Deno.test("usage ledger: a non-streamed call still running at the refresh gets an open record with its input estimated; a short one writes none", async () => {
  await using stack = await startGatewayStack({ priceOf: () => PRICE });
  // A short call, answered before any refresh: no open record, ever.
  const quick = await postMessages(stack.url, stack.token, {
    messages: [{ role: "user", content: PROMPT }],
  });
  assertEquals(quick.status, 200);
  await quick.text();
  assertEquals(stack.ledger.refreshOpen(), 0);

  stack.emulator.enqueue(hangScript()); // Bedrock never answers
  const client = new AbortController();
  const prompt = "x".repeat(3_000);
  const pending = postMessages(stack.url, stack.token, {
    messages: [{ role: "user", content: prompt }],
  }, client.signal).catch(() => null);
  await stack.emulator.waitForRequests(2);
  assertEquals(stack.ledger.refreshOpen(), 1, "what the refresh timer does within 15 s");
  await stack.ledger.durable();
  const records = await Array.fromAsync(stack.kv.list<OpenRecord>({ prefix: OPEN_PREFIX }));
  assertEquals(records.length, 1);
  const open = records[0]!.value.entry;
  assertEquals([open.route, open.stream, open.status, open.outcome], [
    "messages",
    false,
    0,
    "interrupted",
  ]);
  assert(open.inputTokens >= 1_000 && open.inputTokens <= 1_100, String(open.inputTokens));
  assertEquals([open.outputTokens, open.estimated], [0, true]);

  // The gateway dies here: another instance rolls it up once it can no longer be running.
  const other = new UsageLedger({
    kv: stack.kv,
    timers: new FakeTimers(),
    clock: () => records[0]!.value.until,
  });
  const [swept] = await other.sweep();
  assertEquals([swept!.requestId, swept!.inputTokens], [open.requestId, open.inputTokens]);
  await other.close();
  client.abort();
  await pending;
});
