/**
 * How requests that end abnormally are recorded and charged, over real
 * sockets against the Bedrock emulator: what Bedrock most likely billed
 * (`settleUnanswered`), the model a refused native request asked for, the
 * error type of a broken connection, and a native budget refusal the AWS SDK
 * does not retry.
 */
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  ServiceQuotaExceededException,
} from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { answerScript, errorScript, hangScript, textAnswer } from "@ccgate/emulators";
import { assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import {
  type GatewayStack,
  postInvoke,
  postMessages,
  startGatewayStack,
} from "../testing/gateway_stack.ts";
import { UPSTREAM_CONNECTION } from "./error_type.ts";
import { estimateBodyInputTokens } from "./estimate_input_tokens.ts";
import { dayOf, type LedgerEntry } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { closedPort } from "../testing/closed_port.ts";

const SONNET_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

async function ledgerEntries(stack: GatewayStack): Promise<LedgerEntry[]> {
  await stack.ledger.flush();
  const today = dayOf(new Date());
  return (await listEntries(stack.kv, { from: today, to: today })).entries;
}

Deno.test("a call that Bedrock answers with an HTTP error (validation, throttling) costs nothing", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(errorScript("ValidationException"), errorScript("ThrottlingException"));
  for (const status of [400, 429]) {
    const response = await postMessages(stack.url, stack.token, {});
    assertEquals(response.status, status);
    await response.body?.cancel();
  }
  const entries = await ledgerEntries(stack);
  assertEquals(
    entries.map((e) => [e.status, e.errorType, e.inputTokens, e.estimated]).sort(),
    [[400, "ValidationException", 0, undefined], [429, "ThrottlingException", 0, undefined]],
  );
});

Deno.test("a call that cannot connect costs nothing and is typed upstream_connection; an open circuit sends nothing", async () => {
  await using stack = await startGatewayStack({
    regions: [{ region: "eu-west-1", endpoint: `http://127.0.0.1:${closedPort()}` }],
    env: { CCGATE_BEDROCK_REGIONS: "eu-west-1", CCGATE_BREAKER_FAILURES: "1" },
  });
  const refused = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(refused.status, 502);
  await refused.body?.cancel();
  const open = await postMessages(stack.url, stack.token, {});
  assertEquals(open.status, 529);
  await open.body?.cancel();
  const entries = await ledgerEntries(stack);
  assertEquals(
    entries.map((e) => [e.status, e.errorType, e.inputTokens, e.estimated]).sort(),
    [[502, UPSTREAM_CONNECTION, 0, undefined], [529, "overloaded", 0, undefined]],
  );
});

Deno.test("a call the gateway stops waiting for (total timeout) after sending it is charged the estimated input", async () => {
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    timers,
    env: { CCGATE_TOTAL_TIMEOUT_MS: "60000" },
  });
  stack.emulator.enqueue(hangScript());
  const pending = postMessages(stack.url, stack.token, {});
  const [upstream] = await stack.emulator.waitForRequests(1);
  await timers.whenPending(60_000);
  timers.advance(60_000);
  const response = await pending;
  assertEquals(response.status, 504);
  await response.body?.cancel();
  assertEquals(await upstream!.closed, "aborted");
  const estimate = estimateBodyInputTokens(new TextEncoder().encode(upstream!.bodyText));
  const [entry] = await ledgerEntries(stack);
  assertEquals(
    [entry!.status, entry!.outcome, entry!.errorType, entry!.inputTokens, entry!.estimated],
    [504, "upstream_error", "upstream_timeout", estimate, true],
  );
});

Deno.test("a stream whose connection breaks after the request went out, before its first event, is charged the estimated input", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(answerScript(textAnswer(["one"]), { resetAfter: 0 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 502);
  await response.body?.cancel();
  const [upstream] = stack.emulator.requests;
  const estimate = estimateBodyInputTokens(new TextEncoder().encode(upstream!.bodyText));
  const [entry] = await ledgerEntries(stack);
  assertEquals(
    [entry!.status, entry!.errorType, entry!.inputTokens, entry!.estimated],
    [502, UPSTREAM_CONNECTION, estimate, true],
  );
});

Deno.test("a mid-stream connection reset is recorded with the error type upstream_connection, not TypeError", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(answerScript(textAnswer(["one", "two"]), { resetAfter: 3 }));
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  await response.text();
  await stack.lifecycle.whenIdle();
  const [entry] = await ledgerEntries(stack);
  assertEquals([entry!.outcome, entry!.errorType], ["upstream_error", UPSTREAM_CONNECTION]);
  const counted = { route: "messages", type: UPSTREAM_CONNECTION };
  assertEquals(stack.metrics.value("ccgate_upstream_errors_total", counted), 1);
});

for (const stream of [false, true]) {
  Deno.test(`bedrock_invoke${stream ? "_stream" : ""}: a refused request records the model id it asked for (at most 512 characters)`, async () => {
    await using stack = await startGatewayStack({
      policyYaml:
        `models:\n  claude-haiku-4-5-20251001:\n    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0\n` +
        `    price: { input: 1, output: 5 }\n`,
    });
    const refused = await postInvoke(stack, SONNET_ID, { stream, maxTokens: 64 });
    assertEquals(refused.status, 404);
    assertEquals(refused.headers.get("x-amzn-errortype"), "ResourceNotFoundException");
    await refused.body?.cancel();
    const long = `us.anthropic.claude-${"x".repeat(600)}`;
    const invalid = await postInvoke(stack, long, { stream, maxTokens: 64 });
    assertEquals(invalid.status, 400);
    await invalid.body?.cancel();
    const entries = await ledgerEntries(stack);
    const byStatus = new Map(entries.map((e) => [e.status, e]));
    assertEquals(byStatus.get(404)?.model, SONNET_ID);
    assertEquals(byStatus.get(404)?.stream, stream);
    assertEquals(byStatus.get(400)?.model, long.slice(0, 512));
    assertEquals(stack.emulator.requests.length, 0);
  });
}

/** The real AWS SDK with the gateway as its endpoint, retrying as it does by default (3 attempts). */
function awsSdk(url: string, token: string): BedrockRuntimeClient & Disposable {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    token: { token },
    authSchemePreference: ["httpBearerAuth"],
    maxAttempts: 3,
    requestHandler: new FetchHttpHandler(),
  });
  return Object.assign(client, { [Symbol.dispose]: () => client.destroy() });
}

async function tokensPolicy(dailyTokens: number): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "ccgate-policy-", suffix: ".yaml" });
  await Deno.writeTextFile(
    path,
    `models:\n  claude-sonnet-4-5-20250929:\n    bedrock: ${SONNET_ID}\n` +
      `    price: { input: 3, output: 15 }\ndefaults:\n  budgets:\n    daily_tokens: ${dailyTokens}\n`,
  );
  return path;
}

Deno.test("bedrock_invoke: a budget only its reset can free answers 400 ServiceQuotaExceededException, which the AWS SDK does not retry", async () => {
  // 100 tokens: room for one request's worst case (about 76 tokens here); the first spends 90.
  const path = await tokensPolicy(100);
  try {
    await using stack = await startGatewayStack({ policy: path });
    stack.emulator.enqueue(answerScript(textAnswer("ok", { usage: { output_tokens: 80 } })));
    const first = await postInvoke(stack, SONNET_ID, { maxTokens: 64 });
    assertEquals(first.status, 200);
    await first.body?.cancel();
    using client = awsSdk(stack.url, stack.token);
    const error = await assertRejects(() =>
      client.send(
        new InvokeModelCommand({
          modelId: SONNET_ID,
          contentType: "application/json",
          body: new TextEncoder().encode(JSON.stringify({
            anthropic_version: "bedrock-2023-05-31",
            max_tokens: 64,
            messages: [{ role: "user", content: "Hi" }],
          })),
        }),
      ), ServiceQuotaExceededException);
    assertEquals(error.$metadata.httpStatusCode, 400);
    assertStringIncludes(error.message, "rule: defaults.budgets.daily_tokens");
    assertEquals(error.$metadata.attempts, 1, "not retried");
    const invokes = stack.logs.filter((l) => l.msg === "bedrock_invoke");
    assertEquals(invokes.map((l) => l.error_type), [undefined, "budget_exceeded"], "spent usage");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("bedrock_invoke: a budget that requests in flight block stays 429 ThrottlingException (worth retrying)", async () => {
  // Room for one request's worst case (about 76 tokens here), not two.
  const path = await tokensPolicy(100);
  try {
    await using stack = await startGatewayStack({ policy: path });
    stack.emulator.enqueue(hangScript());
    const client = new AbortController();
    const held = postInvoke(stack, SONNET_ID, { maxTokens: 64, signal: client.signal }).catch((e) =>
      e
    );
    await stack.emulator.waitForRequests(1);
    const blocked = await postInvoke(stack, SONNET_ID, { maxTokens: 64 });
    assertEquals(blocked.status, 429);
    assertEquals(blocked.headers.get("x-amzn-errortype"), "ThrottlingException");
    assertEquals(blocked.headers.get("x-should-retry"), "true");
    await blocked.body?.cancel();
    client.abort();
    await held;
  } finally {
    await Deno.remove(path);
  }
});
