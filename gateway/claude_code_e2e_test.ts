import { answerScript, textAnswer } from "@ccgate/emulators";
import { claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { openStream, startGatewayStack } from "../testing/gateway_stack.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

Deno.test("Claude Code completes `claude -p` through the gateway against the Bedrock emulator", async () => {
  await using stack = await startGatewayStack();
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer(["Gateway ", "says ", "hello."]));
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Gateway says hello.");

  const upstream = stack.emulator.requests.filter((r) => r.operation !== null);
  assert(upstream.length >= 1, "Claude Code's request reached Bedrock");
  const sent = upstream[0]!;
  assertEquals(sent.operation, "InvokeModelWithResponseStream");
  assert(sent.signed, "the AWS SDK signed the call");
  const body = sent.json as Record<string, unknown>;
  assertEquals(body.anthropic_version, "bedrock-2023-05-31");
  assertEquals("model" in body, false);
  assertEquals(
    (body.metadata as { user_id: string }).user_id,
    "00000000-0000-0000-0000-00000000a11c",
  );
  assert(
    Array.isArray(body.tools) && body.tools.length > 0,
    "Claude Code's tools were passed on",
  );
  const roles = (body.messages as { role: string }[]).map((m) => m.role);
  assert(roles.every((role) => role === "user" || role === "assistant"), `roles: ${roles}`);
  const record = stack.logs.find((r) => r.msg === "messages");
  assertEquals(record?.outcome, "completed");
});

Deno.test("Claude Code's long prompt (a request past 128 KiB, read chunk by chunk) completes through the gateway", async () => {
  await using stack = await startGatewayStack();
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer("Read it all."));
  // 100 KB: under the 128 KiB a command-line argument may hold, over 128 KiB with Claude Code's
  // system prompt and tools.
  const prompt = `Summarise: ${'Ünïcode, "quotes" and lines.\n'.repeat(3_500)}`;
  const run = await runClaudeCode(
    prompt,
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Read it all.");
  const sent = stack.emulator.requests.find((r) => r.operation === "InvokeModelWithResponseStream");
  assert(sent !== undefined, "Claude Code's request reached Bedrock");
  const text = JSON.stringify(sent.json);
  assert(text.length > 128 * 1024, `the request was ${text.length} characters`);
  assertStringIncludes(text, JSON.stringify(prompt).slice(1, -1));
  assertEquals(stack.logs.find((r) => r.msg === "messages")?.outcome, "completed");
});

Deno.test("Claude Code reports a gateway that rejects its token instead of hanging", async () => {
  await using stack = await startGatewayStack();
  const expired = await stack.issuer.mint({ now: new Date(Date.now() - 7_200_000) });
  await using helper = await tokenFileHelper(expired);
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { env: { CLAUDE_CODE_MAX_RETRIES: "0" } },
  );
  assert(run.code !== 0, "claude must fail when every token is rejected");
  assertEquals(stack.emulator.requests.length, 0);
  assert(!(run.stdout + run.stderr).includes(expired), "the token is never echoed");
});

/**
 * Holds a stream of the test user, runs Claude Code as the same user, and
 * frees the stream once the gateway has refused Claude Code for `reason` at
 * least once (a condition, not a delay): its retry, after the refusal's
 * `retry-after`, must then be served.
 */
async function claudeCodeRetriesRefusal(env: Record<string, string>, reason: string) {
  await using stack = await startGatewayStack({
    env,
    emulator: { defaultScript: () => textAnswer(["Served ", "after ", "a refusal."]) },
  });
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(answerScript(textAnswer(["held"]), { hangAfter: 2 }));
  // A long request (150 KB, about 1.5 MiB estimated) held open.
  const held = await openStream(stack, {
    messages: [{ role: "user", content: "x".repeat(150_000) }],
  });

  const running = runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  let finished = false;
  running.finally(() => (finished = true));
  const refused = () => stack.metrics.value("ccgate_load_shed_total", { reason });
  while (refused() === 0 && !finished) await new Promise((resolve) => setTimeout(resolve, 10));
  assert(
    refused() > 0,
    `the gateway refused Claude Code's request (${reason}) while the stream was held`,
  );
  await held.close();
  const run = await running;
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Served after a refusal.");
  const record = stack.logs.find((r) => r.msg === "messages" && r.outcome === "completed");
  assert(record !== undefined, "Claude Code's retry was served");
  assertEquals(stack.lifecycle.reservedBytes, 0);
}

Deno.test("Claude Code retries the 529 of a gateway at its memory budget and completes once memory frees", async () => {
  // 162 MiB: a budget of 1.6 MiB, room for Claude Code's request (~90 KB, about 1 MiB
  // estimated) alone, not beside the held stream. One user holds both: no share per user.
  await claudeCodeRetriesRefusal(
    { CCGATE_MEMORY_LIMIT_MB: "162", CCGATE_MEMORY_USER_PERCENT: "100" },
    "memory",
  );
});

Deno.test("Claude Code retries the 429 of its user's memory share and completes once its other request ends", async () => {
  // 170 MiB: a budget of 8 MiB, a quarter of it (2 MiB) per user: room for Claude Code's request
  // (about 1 MiB) alone, not beside the same user's held stream (1.5 MiB); the instance itself has
  // room for both.
  await claudeCodeRetriesRefusal(
    { CCGATE_MEMORY_LIMIT_MB: "170", CCGATE_MEMORY_USER_PERCENT: "25" },
    "user_share",
  );
});

Deno.test("Claude Code, as installed today, answers through a gateway enforcing the shipped example policy", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer(["Allowed ", "by policy."]));
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout} ${run.stderr}`);
  assertStringIncludes(run.stdout, "Allowed by policy.");
  // Its default model, which the example's defaults allow.
  const record = stack.logs.find((r) => r.msg === "messages");
  assertEquals([record?.model, record?.bedrock_model], [
    "claude-opus-5-5",
    "us.anthropic.claude-opus-5-5",
  ]);
});

Deno.test("Claude Code stops at once on a model the policy does not allow it", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  await using helper = await tokenFileHelper(stack.token);
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--model", "fable"] },
  );
  assert(run.code !== 0, "claude failed");
  // Claude Code's own words for a 404 on its model (the gateway's message names the rule).
  assertStringIncludes(
    `${run.stdout}${run.stderr}`,
    "There's an issue with the selected model (claude-fable-5-2)",
  );
  // A 403 made it take the refusal for a bad credential: 13 tries over 4.5 minutes, then
  // "Failed to authenticate".
  const asked = stack.logs.filter((r) => r.msg === "messages");
  assert(asked.length <= 2, `${asked.length} requests`);
  assertEquals(stack.emulator.requests.length, 0);
});
