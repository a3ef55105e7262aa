import { hangScript } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { type GatewayStack, postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { estimateBodyInputTokens } from "./estimate_input_tokens.ts";
import { dayOf, type LedgerEntry } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { counterWindow } from "./policy/counter_window.ts";

Deno.test("a client that leaves a non-streamed call before its answer: Bedrock's call aborted, recorded as 499 client_aborted, no upstream failure", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(hangScript());
  const client = new AbortController();
  const pending = postMessages(stack.url, stack.token, {}, client.signal).catch((e) => e);
  const [upstream] = await stack.emulator.waitForRequests(1);
  client.abort();
  assertEquals((await pending).name, "AbortError");
  assertEquals(await upstream!.closed, "aborted");
  await stack.lifecycle.whenIdle();

  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(
    entries.map((e) => [e.status, e.outcome, e.errorType]),
    [[499, "client_aborted", "client_aborted"]],
  );
  const record = stack.logs.find((l) => l.msg === "messages")!;
  assertEquals([record.status, record.outcome], [499, "client_aborted"]);
  assertEquals(stack.logs.filter((l) => l.msg === "upstream failure"), []);
  const counted = { route: "messages", status: "499", outcome: "client_aborted" };
  assertEquals(stack.metrics.value("ccgate_requests_total", counted), 1);
});

const SUB = "00000000-0000-0000-0000-00000000a11c";
const SONNET = "claude-sonnet-4-5-20250929";
const SONNET_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOW = new Date();

/**
 * Short on purpose: Deno's server (2.9.6) aborts a request's signal when its client leaves only if
 * the request was small (measured with a raw socket: a 100-byte body yes, 5,000 bytes no, whether
 * the body was read or not), and only the aborted signal aborts the Bedrock call.
 */
const PROMPT = "Hi there";

/** A policy with a tokens budget, so that what a request is charged can be read back from KV. */
async function budgetPolicy(): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "ccgate-policy-", suffix: ".yaml" });
  await Deno.writeTextFile(
    path,
    `models:\n  ${SONNET}:\n    bedrock: ${SONNET_ID}\n    price: { input: 3, output: 15 }\n` +
      `defaults:\n  budgets:\n    daily_tokens: 1000000\n`,
  );
  return path;
}

/** The tokens the policy charged the test user today, once reconciled to KV. */
async function chargedTokens(stack: GatewayStack): Promise<number> {
  await stack.policy!.reconcile();
  const day = counterWindow("daily", NOW).id;
  const row = await stack.kv.get<Deno.KvU64>(["policy", "usage", `user:${SUB}`, day, "tokens"]);
  return Number(row.value?.value ?? 0n);
}

async function ledgerEntries(stack: GatewayStack): Promise<LedgerEntry[]> {
  await stack.ledger.flush();
  const today = dayOf(new Date());
  return (await listEntries(stack.kv, { from: today, to: today })).entries;
}

const SENT = [
  {
    route: "messages",
    call: (stack: GatewayStack, signal: AbortSignal) =>
      postMessages(
        stack.url,
        stack.token,
        { messages: [{ role: "user", content: PROMPT }] },
        signal,
      ),
  },
  {
    route: "messages",
    stream: true,
    call: (stack: GatewayStack, signal: AbortSignal) =>
      postMessages(
        stack.url,
        stack.token,
        { stream: true, messages: [{ role: "user", content: PROMPT }] },
        signal,
      ),
  },
  ...([["bedrock_invoke", "invoke"], [
    "bedrock_invoke_stream",
    "invoke-with-response-stream",
  ]] as const)
    .map(([route, action]) => ({
      route,
      stream: action !== "invoke",
      call: (stack: GatewayStack, signal: AbortSignal) =>
        fetch(`${stack.url}/model/${encodeURIComponent(SONNET_ID)}/${action}`, {
          method: "POST",
          signal,
          headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
          body: JSON.stringify({
            anthropic_version: "bedrock-2023-05-31",
            max_tokens: 64,
            messages: [{ role: "user", content: PROMPT }],
          }),
        }),
    })),
];

for (const { route, stream, call } of SENT) {
  Deno.test(`${route}${stream ? " (stream)" : ""}: a client that leaves after the request went to Bedrock, before its first byte, is charged the estimated input (ledger and budget)`, async () => {
    const policy = await budgetPolicy();
    try {
      await using stack = await startGatewayStack({ policy, policyNow: () => NOW });
      stack.emulator.enqueue(hangScript());
      const client = new AbortController();
      const pending = call(stack, client.signal).catch((e) => e);
      const [upstream] = await stack.emulator.waitForRequests(1);
      client.abort();
      assertEquals((await pending).name, "AbortError");
      assertEquals(await upstream!.closed, "aborted");
      await stack.lifecycle.whenIdle();

      // What the gateway sent Bedrock, estimated as the interrupted-call record estimates it.
      const estimate = estimateBodyInputTokens(new TextEncoder().encode(upstream!.bodyText));
      assert(estimate > 0);
      const [entry, ...others] = await ledgerEntries(stack);
      assertEquals(others, []);
      assertEquals(
        [entry!.route, entry!.status, entry!.outcome, entry!.model !== null],
        [route, 499, "client_aborted", true],
      );
      assertEquals([entry!.inputTokens, entry!.outputTokens, entry!.estimated], [
        estimate,
        0,
        true,
      ]);
      assertEquals(entry!.costUsd, (estimate * 3) / 1_000_000);
      assertEquals(await chargedTokens(stack), estimate, "the budget is charged the same");
    } finally {
      await Deno.remove(policy);
    }
  });
}

Deno.test("a client that leaves before anything went to Bedrock (mid-body) costs nothing, to the ledger or the budget", async () => {
  const policy = await budgetPolicy();
  try {
    await using stack = await startGatewayStack({ policy, policyNow: () => NOW });
    const { conn } = await sendHead(stack, 2_000, '{"model":"' + SONNET + '","max_tokens":');
    conn.close();
    const entry = await recorded(stack, "messages");
    assertEquals([entry.status, entry.outcome, entry.inputTokens, entry.estimated], [
      499,
      "client_aborted",
      0,
      undefined,
    ]);
    assertEquals(stack.emulator.requests.length, 0);
    assertEquals(await chargedTokens(stack), 0);
  } finally {
    await Deno.remove(policy);
  }
});

/** Opens a raw connection and sends a model request's head and the first part of its body. */
async function sendHead(
  stack: GatewayStack,
  declared: number | "chunked",
  part: string,
  path = "/v1/messages",
): Promise<{ conn: Deno.Conn }> {
  const port = Number(new URL(stack.url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const length = declared === "chunked"
    ? "transfer-encoding: chunked\r\n"
    : `content-length: ${declared}\r\n`;
  const body = declared === "chunked" ? `${part.length.toString(16)}\r\n${part}\r\n` : part;
  await conn.write(new TextEncoder().encode(
    `POST ${path} HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer ${stack.token}\r\n` +
      `content-type: application/json\r\n${length}\r\n${body}`,
  ));
  return { conn };
}

/**
 * The ledger entry of the one request of `route`, once its record is written: waits for the
 * record's log line (written by the same `#finish` as the entry), turn by turn of the event loop.
 */
async function recorded(stack: GatewayStack, route: string): Promise<LedgerEntry> {
  while (!stack.logs.some((l) => l.msg === route)) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const entries = await ledgerEntries(stack);
  assertEquals(entries.length, 1);
  return entries[0]!;
}

for (const declared of [900, 300_000, "chunked"] as const) {
  Deno.test(`a client that leaves mid-body (${declared === "chunked" ? "chunked" : `${declared} bytes declared`}) is recorded as a client abort (499), not as its bad input`, async () => {
    await using stack = await startGatewayStack();
    const { conn } = await sendHead(stack, declared, '{"model":"' + SONNET + '","messages":[');
    conn.close();
    const entry = await recorded(stack, "messages");
    assertEquals([entry.status, entry.outcome, entry.errorType], [
      499,
      "client_aborted",
      "client_aborted",
    ]);
    const counted = { route: "messages", status: "499", outcome: "client_aborted" };
    assertEquals(stack.metrics.value("ccgate_requests_total", counted), 1);
    assertEquals(
      stack.metrics.value("ccgate_requests_total", {
        ...counted,
        status: "400",
        outcome: "rejected",
      }),
      0,
    );
  });
}
