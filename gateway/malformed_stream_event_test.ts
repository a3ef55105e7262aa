import { answerScript, textAnswer } from "@ccgate/emulators";
import type { AnthropicStreamEvent } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { dayOf } from "./ledger/ledger_entry.ts";

/** An event whose chunk bytes are `text`, not JSON of an event: what a faulty Bedrock might send. */
const raw = (text: string) => new TextEncoder().encode(text) as unknown as AnthropicStreamEvent;

const MODEL = "claude-sonnet-4-5-20250929";
/**
 * The routes that read Bedrock's events. The Bedrock-native stream route passes each chunk's bytes
 * on unread, as Bedrock sent them: a malformed one is its client's to refuse.
 */
const ROUTES = {
  messages: (url: string) => ({
    url: `${url}/v1/messages`,
    body: {
      model: MODEL,
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    },
  }),
  chat_completions: (url: string) => ({
    url: `${url}/v1/chat/completions`,
    body: { model: MODEL, stream: true, messages: [{ role: "user", content: "Hi" }] },
  }),
};

/** `promise`, or a failure naming `what` if it has not settled within 10 s (a hang, not a slow run). */
function orFail<T>(promise: Promise<T>, what: string): Promise<T> {
  const { promise: failed, reject } = Promise.withResolvers<never>();
  const timer = setTimeout(() => reject(new Error(`${what}: still waiting after 10 s`)), 10_000);
  return Promise.race([promise, failed]).finally(() => clearTimeout(timer));
}

type Stack = Awaited<ReturnType<typeof startGatewayStack>>;

/** Sends the route's streamed request. */
function post(stack: Stack, target: (url: string) => { url: string; body: unknown }) {
  const { url, body } = target(stack.url);
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * Checks that the gateway ended Bedrock's stream, released the call's slot and memory, and
 * recorded the request once, with `status` and outcome `upstream_error`.
 */
async function endedAndRecorded(stack: Stack, route: string, status: number): Promise<void> {
  const [upstream] = await stack.emulator.waitForRequests(1);
  assertEquals(await orFail(upstream!.closed, "Bedrock's stream ended"), "aborted");
  await orFail(stack.lifecycle.whenIdle(), "the call's slot is released");
  assertEquals([stack.lifecycle.active, stack.lifecycle.reservedBytes], [0, 0]);
  assertEquals(stack.metrics.value("ccgate_active_streams", { route }) ?? 0, 0);
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(entries.map((e) => [e.route, e.status, e.outcome]), [
    [route, status, "upstream_error"],
  ]);
}

for (const [route, target] of Object.entries(ROUTES)) {
  Deno.test(`${route}: a malformed first stream event is a 502 in the route's error shape; the call is ended, released and recorded`, async () => {
    await using stack = await startGatewayStack();
    const events = textAnswer("never sent");
    // Bedrock's stream goes on after its bad first event: the gateway must end it.
    stack.emulator.enqueue(answerScript([raw("not json"), ...events.slice(1)], { hangAfter: 1 }));
    const res = await post(stack, target);
    assertEquals(res.status, 502);
    const text = await res.text();
    assertStringIncludes(text, "malformed stream event");
    if (route === "messages") assertEquals(JSON.parse(text).type, "error");
    if (route === "chat_completions") assert(JSON.parse(text).error.message.length > 0);
    await endedAndRecorded(stack, route, 502);
    assert(!stack.logs.some((l) => l.level === "error"), "no unhandled error");
  });

  Deno.test(`${route}: a malformed event mid-stream ends the stream with an error; the call is ended, released and recorded`, async () => {
    await using stack = await startGatewayStack();
    const events = textAnswer("a few words and then some");
    const broken = [...events.slice(0, 3), raw("[1,2]"), ...events.slice(3)];
    stack.emulator.enqueue(answerScript(broken, { hangAfter: 4 }));
    const res = await post(stack, target);
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "malformed stream event");
    await endedAndRecorded(stack, route, 200);
  });
}
