import { errorScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { type GatewayStack, startGatewayStack } from "../testing/gateway_stack.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { ToolSearchRefusals } from "./tool_search_refusals.ts";

type Json = Record<string, unknown>;
const BETA = "tool-search-tool-2025-10-19";
const MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/** What Claude Code sends after its ToolSearch tool ran: deferred tools, a tool_reference answer. */
const CONVERSATION = {
  tools: [
    { name: "Read", description: "Read a file", input_schema: { type: "object" } },
    {
      name: "WebFetch",
      description: "Fetch a URL",
      input_schema: { type: "object" },
      defer_loading: true,
    },
  ],
  messages: [
    { role: "user", content: "Fetch example.com" },
    {
      role: "assistant",
      content: [{
        type: "tool_use",
        id: "toolu_1",
        name: "ToolSearch",
        input: { query: "select:WebFetch" },
      }],
    },
    {
      role: "user",
      content: [{
        type: "tool_result",
        tool_use_id: "toolu_1",
        content: [{ type: "tool_reference", tool_name: "WebFetch" }],
      }],
    },
  ],
};

/** A clock the test moves, for the refusals' memory only (tokens keep the real clock). */
function refusalsClock() {
  let offset = 0;
  const refusals = new ToolSearchRefusals({ now: () => new Date(Date.now() + offset) });
  return { refusals, advance: (ms: number) => offset += ms };
}

/** Posts the conversation to /v1/messages as Claude Code does, asking for tool search. */
async function post(
  stack: GatewayStack,
  stream: boolean,
): Promise<{ status: number; text: string; dropped: string | null }> {
  const res = await fetch(`${stack.url}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.token}`,
      "content-type": "application/json",
      "anthropic-beta": "claude-code-20250219,advanced-tool-use-2025-11-20",
    },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 64,
      stream,
      ...CONVERSATION,
    }),
  });
  return {
    status: res.status,
    text: await res.text(),
    dropped: res.headers.get("x-ccgate-dropped"),
  };
}

/** What the emulator received from request `from` on: with the beta or not, and its answer. */
function upstream(stack: GatewayStack, from: number) {
  return stack.emulator.requests.slice(from).map((r) => {
    const body = r.json as Json;
    const tools = body.tools as Json[];
    return {
      beta: (body.anthropic_beta as string[] | undefined)?.includes(BETA) ?? false,
      deferred: tools.some((t) => "defer_loading" in t),
      status: r.status,
    };
  });
}

const FORWARDED = { beta: true, deferred: true };
const CONSERVATIVE = { beta: false, deferred: false };

Deno.test("the tool search safety net: a refusal is retried once without it, remembered for the model, and tried again once forgotten", async () => {
  const { refusals, advance } = refusalsClock();
  await using stack = await startGatewayStack({
    emulator: { toolSearchUnsupported: [MODEL_ID] },
    toolSearchRefusals: refusals,
    // Failover on, as deployed: a refusal must not be taken for an upstream failure.
    env: { CCGATE_RETRY_MAX_ATTEMPTS: "3" },
  });

  // 1: refused with tool search, answered without it, in one request.
  stack.emulator.enqueue(textAnswer("Fetched."));
  const first = await post(stack, false);
  assertEquals(first.status, 200, first.text);
  assertEquals(JSON.parse(first.text).content[0].text, "Fetched.");
  assertEquals(upstream(stack, 0), [
    { ...FORWARDED, status: 400 },
    { ...CONSERVATIVE, status: 200 },
  ]);
  const [refused, retried] = stack.emulator.requests;
  assertEquals(refused!.exception, "ValidationException");
  // The retry sends the tool search answer as text naming the tool, as before tool search.
  const retriedMessages = (retried!.json as { messages: { content: Json[] }[] }).messages;
  assertEquals(retriedMessages[2]!.content[0]!.content, [
    { type: "text", text: "Tool WebFetch is loaded." },
  ]);
  assertEquals(stack.logs.filter((r) => r.msg === "tool search refused").length, 1);
  const line = stack.logs.find((r) => r.msg === "tool search refused")!;
  assertEquals(line.model_id, MODEL_ID);
  assert(!JSON.stringify(line).includes(stack.token));
  assertEquals(stack.metrics.value("ccgate_tool_search_refused_total", { model: MODEL_ID }), 1);
  // A refused call is an answer: no failover, no circuit failure.
  assertEquals(
    stack.metrics.samples().filter((s) =>
      s.name === "ccgate_upstream_failovers_total" || s.name === "ccgate_circuit_opened_total"
    ),
    [],
  );

  // 2: remembered: conservative at once, no refused call.
  stack.emulator.enqueue(textAnswer("Again."));
  const second = await post(stack, true);
  assertEquals(second.status, 200);
  assert(second.text.includes("Again."));
  assertEquals(upstream(stack, 2), [{ ...CONSERVATIVE, status: 200 }]);
  // Both answers' x-ccgate-dropped say what was sent: tool search dropped, not renamed.
  assertEquals(
    second.dropped,
    "beta:claude-code-20250219, beta:advanced-tool-use-2025-11-20, field:tools.1.defer_loading, rewrite:messages.2.content.0.content.0.tool_reference",
  );
  assertEquals(first.dropped, second.dropped);

  // 3: an hour later tool search is tried again (a stream this time), and refused again.
  advance(3_600_000);
  stack.emulator.enqueue(textAnswer("Later."));
  const third = await post(stack, true);
  assertEquals(third.status, 200);
  assert(third.text.includes("Later."));
  assertEquals(upstream(stack, 3), [
    { ...FORWARDED, status: 400 },
    { ...CONSERVATIVE, status: 200 },
  ]);
  assertEquals(stack.metrics.value("ccgate_tool_search_refused_total", { model: MODEL_ID }), 2);

  // One ledger entry per request, each charged once, with the answer's usage.
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(entries.length, 3);
  assert(entries.every((e) => e.status === 200), JSON.stringify(entries.map((e) => e.status)));
  const answered = textAnswer("x")[0] as { message: { usage: { input_tokens: number } } };
  for (const e of entries) assertEquals(e.inputTokens, answered.message.usage.input_tokens);
});

Deno.test("the tool search safety net relays other 400s unchanged, and a refusal the retry gets too", async () => {
  const { refusals } = refusalsClock();
  await using stack = await startGatewayStack({ toolSearchRefusals: refusals });

  // A 400 that is not about tool search: relayed, not retried.
  stack.emulator.enqueue(errorScript("ValidationException", { message: "Prompt is too long" }));
  const tooLong = await post(stack, false);
  assertEquals(tooLong.status, 400);
  assertEquals(JSON.parse(tooLong.text).error.message, "Prompt is too long");
  assertEquals(upstream(stack, 0), [{ ...FORWARDED, status: 400 }]);

  // 'invalid beta flag' names no beta: retried once; refused again, it was not tool search.
  stack.emulator.enqueue(
    errorScript("ValidationException", { message: "invalid beta flag" }),
    errorScript("ValidationException", { message: "invalid beta flag" }),
  );
  const beta = await post(stack, true);
  assertEquals(beta.status, 400);
  assertEquals(JSON.parse(beta.text).error.message, "invalid beta flag");
  assertEquals(upstream(stack, 1), [
    { ...FORWARDED, status: 400 },
    { ...CONSERVATIVE, status: 400 },
  ]);
  assert(!refusals.refused(MODEL_ID), "not remembered");
  assertEquals(stack.metrics.value("ccgate_tool_search_refused_total", { model: MODEL_ID }), 0);

  // Tool search is still forwarded.
  const next = await post(stack, false);
  assertEquals(next.status, 200);
  assertEquals(upstream(stack, 3), [{ ...FORWARDED, status: 200 }]);
});

Deno.test("the tool search safety net retries a tool_reference to an undeclared tool without remembering the model", async () => {
  const { refusals } = refusalsClock();
  await using stack = await startGatewayStack({ toolSearchRefusals: refusals });

  // About this request's content, not the model: sent again without tool search, not remembered.
  stack.emulator.enqueue(
    errorScript("ValidationException", {
      message: "Tool reference not found in available tools",
    }),
    textAnswer("Fetched."),
  );
  const first = await post(stack, false);
  assertEquals(first.status, 200, first.text);
  assertEquals(upstream(stack, 0), [
    { ...FORWARDED, status: 400 },
    { ...CONSERVATIVE, status: 200 },
  ]);
  assert(!refusals.refused(MODEL_ID), "the model is not marked as refusing tool search");
  assertEquals(stack.metrics.value("ccgate_tool_search_refused_total", { model: MODEL_ID }), 0);
  assertEquals(stack.logs.filter((r) => r.msg === "tool search refused"), []);
  assertEquals(stack.logs.filter((r) => r.msg === "tool search refused for one request").length, 1);

  // The next request forwards tool search again.
  const next = await post(stack, false);
  assertEquals(next.status, 200);
  assertEquals(upstream(stack, 2), [{ ...FORWARDED, status: 200 }]);
});

Deno.test("the tool search safety net covers the Bedrock-native routes", async () => {
  const { refusals } = refusalsClock();
  await using stack = await startGatewayStack({
    emulator: { toolSearchUnsupported: true },
    toolSearchRefusals: refusals,
  });
  const dropped: (string | null)[] = [];
  for (const action of ["invoke-with-response-stream", "invoke"]) {
    const from = stack.emulator.requests.length;
    const res = await fetch(`${stack.url}/model/${encodeURIComponent(MODEL_ID)}/${action}`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        anthropic_beta: [BETA],
        max_tokens: 32,
        ...CONVERSATION,
      }),
    });
    assertEquals(res.status, 200, action);
    dropped.push(res.headers.get("x-ccgate-dropped"));
    await res.arrayBuffer();
    // The first is refused and retried; the second goes conservative at once.
    assertEquals(
      upstream(stack, from),
      action === "invoke" ? [{ ...CONSERVATIVE, status: 200 }] : [
        { ...FORWARDED, status: 400 },
        { ...CONSERVATIVE, status: 200 },
      ],
      action,
    );
  }
  assert(refusals.refused(MODEL_ID));
  // The refused then retried request's x-ccgate-dropped is the conservative translation's.
  assertEquals(dropped, [
    "beta:tool-search-tool-2025-10-19, field:tools.1.defer_loading, rewrite:messages.2.content.0.content.0.tool_reference",
    "beta:tool-search-tool-2025-10-19, field:tools.1.defer_loading, rewrite:messages.2.content.0.content.0.tool_reference",
  ]);
});
