/**
 * Each policy rule on and off, through the gateway's routes over a real
 * socket, in front of the Bedrock emulator.
 */
import { answerScript, errorScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import {
  type GatewayStack,
  postInvoke,
  postMessages,
  startGatewayStack,
} from "../../testing/gateway_stack.ts";
import { HAIKU, SONNET, TWO_MODEL_CATALOGUE } from "../../testing/two_model_catalogue.ts";
import { MAX_TOKENS_CAPPED_HEADER } from "./admit_request.ts";

const EXAMPLE = new URL("../../docs/policy.example.yaml", import.meta.url);

/** A gateway stack enforcing `rules` after the two-model catalogue. */
function stackWith(
  rules: string,
  options: Parameters<typeof startGatewayStack>[0] = {},
): Promise<GatewayStack> {
  return startGatewayStack({ ...options, policyYaml: TWO_MODEL_CATALOGUE + rules });
}

async function errorBody(response: Response): Promise<{ type: string; message: string }> {
  const body = await response.json();
  return body.error;
}

Deno.test("policy: the shipped example allows its default models, refuses the others, caps max_tokens", async () => {
  await using stack = await startGatewayStack({ policy: EXAMPLE.pathname });
  const ok = await postMessages(stack.url, stack.token, { model: SONNET });
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  const refused = await postMessages(stack.url, stack.token, { model: "claude-opus-4-8" });
  assertEquals(refused.status, 404);
  const error = await errorBody(refused);
  assertEquals(error.type, "not_found_error");
  assertStringIncludes(error.message, '"claude-opus-4-8"');
  assertStringIncludes(error.message, "rule: defaults.models");
  const capped = await postMessages(stack.url, stack.token, { model: HAIKU, max_tokens: 64000 });
  assertEquals(capped.status, 200);
  assertEquals(capped.headers.get(MAX_TOKENS_CAPPED_HEADER), "32000");
  await capped.body?.cancel();
  const sent = stack.emulator.requests.at(-1)!.json as { max_tokens: number };
  assertEquals(sent.max_tokens, 32000);
});

Deno.test("policy: model allowlist on — 404 on every model route and a filtered /v1/models; off — all allowed", async () => {
  await using on = await stackWith(`defaults:\n  models: [${HAIKU}]\n`);
  const messages = await postMessages(on.url, on.token, { model: SONNET });
  assertEquals(messages.status, 404);
  assertEquals(
    (await errorBody(messages)).message,
    `Model "${SONNET}" is not allowed for you (rule: defaults.models; allowed: ${HAIKU})`,
  );
  const chat = await fetch(`${on.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${on.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
  });
  assertEquals(chat.status, 404);
  assertEquals((await chat.json()).error.code, "model_not_found", "OpenAI's shape");
  const count = await fetch(`${on.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${on.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
  });
  assertEquals(count.status, 404);
  await count.body?.cancel();
  for (const stream of [false, true]) {
    const native = await postInvoke(on, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", { stream });
    assertEquals(native.status, 404);
    assertEquals(native.headers.get("x-amzn-errortype"), "ResourceNotFoundException");
    assertStringIncludes((await native.json()).message, "rule: defaults.models");
  }
  const models = await fetch(`${on.url}/v1/models?limit=100`, {
    headers: { authorization: `Bearer ${on.token}` },
  });
  const names = (await models.json()).data.map((m: { id: string }) => m.id);
  assert(names.includes(HAIKU) && !names.includes(SONNET), names.join(", "));
  const haiku = await postMessages(on.url, on.token, { model: HAIKU });
  assertEquals(haiku.status, 200);
  await haiku.body?.cancel();
  assertEquals(
    on.emulator.requests.length,
    1,
    "refused requests never reach Bedrock (count_tokens included)",
  );

  await using off = await stackWith("");
  for (const model of [SONNET, HAIKU]) {
    const response = await postMessages(off.url, off.token, { model });
    assertEquals(response.status, 200);
    await response.body?.cancel();
  }
  const native = await postInvoke(off, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
  assertEquals(native.status, 200);
  await native.body?.cancel();
});

Deno.test("policy: max_tokens refused (400), capped (header, body rewritten) or unlimited", async () => {
  await using refuse = await stackWith(`defaults:\n  max_tokens: 1000\n`);
  const refused = await postMessages(refuse.url, refuse.token, { max_tokens: 1001 });
  assertEquals(refused.status, 400);
  const error = await errorBody(refused);
  assertEquals(error.type, "invalid_request_error");
  // Anthropic's own wording for a max_tokens above a model's maximum, which Claude Code acts on
  // (claude_code_max_tokens_e2e_test.ts).
  assertEquals(
    error.message,
    `max_tokens: 1001 > 1000, which is the maximum allowed number of output tokens for ${SONNET} on this gateway (rule: defaults.max_tokens)`,
  );
  const native = await postInvoke(refuse, HAIKU, { maxTokens: 5000 });
  assertEquals(native.status, 400);
  assertEquals(native.headers.get("x-amzn-errortype"), "ValidationException");
  await native.body?.cancel();

  await using cap = await stackWith(`defaults:\n  max_tokens: 1000\n  max_tokens_mode: cap\n`);
  const capped = await postMessages(cap.url, cap.token, { max_tokens: 4000, stream: true });
  assertEquals(capped.status, 200);
  assertEquals(capped.headers.get(MAX_TOKENS_CAPPED_HEADER), "1000");
  await capped.text();
  assertEquals((cap.emulator.requests[0]!.json as { max_tokens: number }).max_tokens, 1000);
  const under = await postMessages(cap.url, cap.token, { max_tokens: 999 });
  assertEquals(under.headers.get(MAX_TOKENS_CAPPED_HEADER), null);
  await under.body?.cancel();

  await using off = await stackWith("");
  const big = await postMessages(off.url, off.token, { max_tokens: 64000 });
  assertEquals(big.status, 200);
  await big.body?.cancel();
  assertEquals((off.emulator.requests[0]!.json as { max_tokens: number }).max_tokens, 64000);
});

Deno.test("policy: requests per minute on — 429 rate_limit_error with retry-after; off — no limit", async () => {
  const at = new Date("2026-11-30T10:00:20Z");
  await using on = await stackWith(`defaults:\n  requests_per_minute: 2\n`, {
    policyNow: () => at,
  });
  for (let i = 0; i < 2; i++) {
    const ok = await postMessages(on.url, on.token);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  }
  const limited = await postMessages(on.url, on.token);
  assertEquals(limited.status, 429);
  assertEquals(limited.headers.get("retry-after"), "70");
  const error = await errorBody(limited);
  assertEquals(error.type, "rate_limit_error");
  assertStringIncludes(error.message, "rule: defaults.requests_per_minute");
  const native = await postInvoke(on, "us.anthropic.claude-haiku-4-5-20251001-v1:0", {
    stream: true,
  });
  assertEquals(native.status, 429);
  assertEquals(native.headers.get("x-amzn-errortype"), "ThrottlingException");
  assertEquals(native.headers.get("retry-after"), "70");
  await native.body?.cancel();

  await using off = await stackWith("", { policyNow: () => at });
  for (let i = 0; i < 5; i++) {
    const ok = await postMessages(off.url, off.token);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  }
});

Deno.test("policy: concurrent streams on — 429 while one is open, freed by the client's abort; off — no limit", async () => {
  const hang = { defaultScript: () => answerScript(textAnswer(["x"]), { hangAfter: 2 }) };
  await using on = await stackWith(`defaults:\n  concurrent_streams: 1\n`, { emulator: hang });
  const controller = new AbortController();
  const open = await postMessages(on.url, on.token, { stream: true }, controller.signal);
  assertEquals(open.status, 200);
  const reader = open.body!.getReader();
  await reader.read();
  const limited = await postMessages(on.url, on.token, { stream: true });
  assertEquals(limited.status, 429);
  assertEquals(limited.headers.get("retry-after"), "5");
  assertStringIncludes((await errorBody(limited)).message, "rule: defaults.concurrent_streams");
  controller.abort();
  await reader.cancel().catch(() => {});
  assertEquals(await on.emulator.requests[0]!.closed, "aborted");
  on.emulator.enqueue(textAnswer("next"));
  const next = await postMessages(on.url, on.token, { stream: true });
  assertEquals(next.status, 200, "the aborted stream's slot is free again");
  await next.text();

  await using off = await stackWith("", { emulator: hang });
  const streams = await Promise.all([0, 1, 2].map(async () => {
    const c = new AbortController();
    const r = await postMessages(off.url, off.token, { stream: true }, c.signal);
    assertEquals(r.status, 200);
    return { c, r };
  }));
  for (const { c, r } of streams) {
    c.abort();
    await r.body?.cancel().catch(() => {});
  }
  await Promise.all(off.emulator.requests.map((r) => r.closed));
});

Deno.test("policy: a request failing upstream, before or during the stream, settles its slot", async () => {
  await using stack = await stackWith(`defaults:\n  concurrent_streams: 1\n`);
  stack.emulator.enqueue(errorScript("ThrottlingException"));
  const before = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(before.status, 429);
  await before.body?.cancel();
  stack.emulator.enqueue(answerScript(textAnswer("partial answer"), { failAfter: { events: 3 } }));
  const during = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(during.status, 200);
  assertStringIncludes(await during.text(), "event: error");
  stack.emulator.enqueue(errorScript("InternalServerException"));
  const nonStream = await postMessages(stack.url, stack.token);
  assertEquals(nonStream.status >= 500, true);
  await nonStream.body?.cancel();
  const native = await postInvoke(stack, "us.anthropic.claude-haiku-4-5-20251001-v1:0", {
    stream: true,
  });
  assertEquals(native.status, 200);
  await native.body?.cancel();
  await stack.emulator.requests.at(-1)!.closed;
  const after = await postMessages(stack.url, stack.token);
  assertEquals(after.status, 200, "every failed request gave its slot back");
  await after.body?.cancel();
});

Deno.test("policy: a reloaded file applies without a restart; an invalid edit keeps the previous policy", async () => {
  await using stack = await stackWith(`defaults:\n  models: [${SONNET}]\n`);
  const before = await postMessages(stack.url, stack.token, { model: HAIKU });
  assertEquals(before.status, 404);
  await before.body?.cancel();
  await Deno.writeTextFile(
    stack.policyPath!,
    TWO_MODEL_CATALOGUE + `defaults:\n  models: [${HAIKU}]\n`,
  );
  assertEquals(await stack.policyFile!.reload(), "reloaded");
  const after = await postMessages(stack.url, stack.token, { model: HAIKU });
  assertEquals(after.status, 200);
  await after.body?.cancel();
  await Deno.writeTextFile(
    stack.policyPath!,
    TWO_MODEL_CATALOGUE + `defaults:\n  models: ${HAIKU}\n`,
  );
  assertEquals(await stack.policyFile!.reload(), "rejected");
  const error = stack.logs.find((r) => r.level === "error" && r.msg.startsWith("policy reload"));
  assertStringIncludes(String(error?.error), "defaults.models: Expected array, received string");
  const still = await postMessages(stack.url, stack.token, { model: HAIKU });
  assertEquals(still.status, 200, "the previous policy is still in force");
  await still.body?.cancel();
});

Deno.test("policy: a model added to the catalogue by a reload is served by its name at once", async () => {
  await using stack = await stackWith(`defaults:\n  models: ["*"]\n`);
  const unknown = await postMessages(stack.url, stack.token, { model: "team-fast" });
  assertEquals(unknown.status, 404);
  await unknown.body?.cancel();
  await Deno.writeTextFile(
    stack.policyPath!,
    TWO_MODEL_CATALOGUE +
      `  team-fast:\n    bedrock: eu.anthropic.claude-haiku-4-5-20251001-v1:0\n    price: { input: 1, output: 5 }\n` +
      `defaults:\n  models: ["*"]\n`,
  );
  assertEquals(await stack.policyFile!.reload(), "reloaded");
  stack.emulator.enqueue(textAnswer("fast"));
  const served = await postMessages(stack.url, stack.token, { model: "team-fast" });
  assertEquals(served.status, 200);
  await served.body?.cancel();
  assertEquals(
    stack.emulator.requests.at(-1)!.modelId,
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  );
  const listed = await (await fetch(`${stack.url}/v1/models/team-fast`, {
    headers: { authorization: `Bearer ${stack.token}` },
  })).json();
  assertEquals(listed.id, "team-fast", "/v1/models follows the reload too");
});

Deno.test("policy: rules follow the token's groups, roles and sub claims", async () => {
  await using stack = await stackWith(`defaults:
  models: [${HAIKU}]
groups:
  eng:
    models: [${SONNET}]
roles:
  ccgate.admin:
    models: ["*"]
users:
  "00000000-0000-0000-0000-0000000000b0":
    models: []
`);
  const asks = async (token: string, model: string) => {
    const response = await postMessages(stack.url, token, { model });
    await response.body?.cancel();
    return response.status;
  };
  const eng = await stack.issuer.mint({ claims: { groups: ["eng"] } });
  const admin = await stack.issuer.mint({ claims: { roles: ["ccgate.admin"] } });
  const nobody = await stack.issuer.mint({
    claims: { sub: "00000000-0000-0000-0000-0000000000b0", roles: ["ccgate.admin"] },
  });
  assertEquals([await asks(stack.token, HAIKU), await asks(stack.token, SONNET)], [200, 404]);
  assertEquals([await asks(eng, HAIKU), await asks(eng, SONNET)], [404, 200]);
  assertEquals([await asks(admin, HAIKU), await asks(admin, SONNET)], [200, 200]);
  assertEquals([await asks(nobody, HAIKU), await asks(nobody, SONNET)], [404, 404]);
});

Deno.test("policy: budgets off — parallel streams are not held back", async () => {
  const hang = { defaultScript: () => answerScript(textAnswer(["x"]), { hangAfter: 2 }) };
  await using stack = await stackWith("", { emulator: hang });
  const calls = await Promise.all(Array.from({ length: 20 }, async () => {
    const controller = new AbortController();
    const response = await postMessages(
      stack.url,
      stack.token,
      { stream: true, max_tokens: 64000 },
      controller.signal,
    );
    return { controller, response };
  }));
  assertEquals(calls.map((c) => c.response.status), Array(20).fill(200));
  for (const { controller, response } of calls) {
    controller.abort();
    await response.body?.cancel().catch(() => {});
  }
  await Promise.all(stack.emulator.requests.map((r) => r.closed));
});

Deno.test("policy: failover to another region invokes the catalogue's id for that region", async () => {
  const path = await Deno.makeTempFile({ prefix: "ccgate-policy-", suffix: ".yaml" });
  await Deno.writeTextFile(
    path,
    `models:
  ${SONNET}:
    bedrock:
      us-east-1: us.anthropic.claude-sonnet-4-5-20250929-v1:0
      eu-west-1: eu.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
`,
  );
  try {
    await using stack = await startGatewayStack({
      policy: path,
      env: { CCGATE_RETRY_MAX_ATTEMPTS: "2", CCGATE_RETRY_BASE_MS: "0" },
      regions: [{ region: "eu-west-1" }],
    });
    stack.emulator.enqueue(errorScript("ServiceUnavailableException"));
    const response = await postMessages(stack.url, stack.token, { model: SONNET });
    assertEquals(response.status, 200);
    await response.body?.cancel();
    assertEquals(
      stack.emulators[0]!.requests[0]!.modelId,
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    );
    assertEquals(
      stack.emulators[1]!.requests[0]!.modelId,
      "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    );
  } finally {
    await Deno.remove(path);
  }
});
