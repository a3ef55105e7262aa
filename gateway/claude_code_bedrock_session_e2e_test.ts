/**
 * The real Claude Code in Bedrock mode (`ccgate install --mode bedrock`) over
 * a working session through the gateway's Bedrock-native routes: a token that
 * expires between two turns, a session that ends (its helper fails as `ccgate
 * token` does), a daily budget spent, and a subagent on haiku.
 *
 * @module
 */
import { textAnswer, toolUseAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { assertLedgerCostIs, ledgerToday } from "../testing/ledger_today.ts";
import { sessionHelper } from "../testing/session_helper.ts";
import { subagentOnHaiku } from "../testing/subagent_on_haiku.ts";

const ECHO = { name: "Bash", input: { command: "echo hi", description: "Echo" } };

Deno.test("Claude Code in Bedrock mode runs its apiKeyHelper again on the gateway's 401 when its token expires between two turns, and completes", async () => {
  let ahead = 0;
  await using stack = await startGatewayStack({ now: () => new Date(Date.now() + ahead) });
  await using helper = await sessionHelper(stack.token);
  const later = 2 * 3_600_000;
  const successor = await stack.issuer.mint({ now: new Date(Date.now() + later) });
  stack.emulator.enqueue(() => {
    ahead = later;
    helper.rotate(successor);
    return toolUseAnswer(ECHO);
  });
  stack.emulator.enqueue(textAnswer("Done after the refresh."));
  const run = await runClaudeCode(
    "Run echo hi",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--allowedTools", "Bash"] },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout}${run.stderr}`);
  assertStringIncludes(run.stdout, "Done after the refresh.");
  // Only a 401 does it: answered 403 (UnrecognizedClientException, ExpiredTokenException or
  // AccessDeniedException, as Bedrock answers bad credentials), Claude Code 2.1.332 in Bedrock
  // mode retries the same token until its retries run out.
  assertEquals(stack.metrics.value("ccgate_auth_refused_total", { reason: "token_expired" }), 1);
  assertEquals(await helper.runs(), 2, "once at start, once after the 401");
  assertEquals(stack.emulator.requests.length, 2);
});

Deno.test("Claude Code in Bedrock mode whose session ended mid-session stops at once with what to do, when its helper fails as `ccgate token` does", async () => {
  await using stack = await startGatewayStack();
  await using helper = await sessionHelper(stack.token);
  // Revoked while the first turn's tool runs; asked again after the 401, the helper (as
  // `ccgate token` now does: it refreshes a token asked for again soon) finds the session ended.
  stack.emulator.enqueue(() => {
    stack.revoked.add("sess-test");
    helper.end();
    return toolUseAnswer(ECHO);
  });
  // Claude Code's default retries: before, it sent `Authorization: Bearer` with no token 10
  // more times over about three minutes, running the failing helper each time, then printed
  // "AWS authentication failed · refresh your AWS credentials … 401 Invalid authorization
  // header: expected "Bearer <token>"".
  const run = await runClaudeCode(
    "Run echo hi",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--allowedTools", "Bash"] },
  );
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertStringIncludes(
    run.stdout,
    "401 Missing credentials: the token is empty, as Claude Code sends it when its apiKeyHelper (`ccgate token`) fails; run `ccgate token` to see why",
  );
  assertStringIncludes(run.stderr, "ccgate: Not signed in or session ended: run `ccgate login`");
  assertEquals(stack.metrics.value("ccgate_auth_refused_total", { reason: "session_revoked" }), 1);
  assertEquals(
    stack.metrics.value("ccgate_auth_refused_total", { reason: "credentials_missing" }),
    1,
    "one request without a token, not one per retry",
  );
  assertEquals(stack.emulator.requests.length, 1);
});

Deno.test("Claude Code in Bedrock mode whose daily budget is spent stops at once with the budget's words, not after minutes of retries", async () => {
  await using stack = await startGatewayStack({
    policyYaml: [
      "version: 1",
      "models:",
      "  claude-opus-5-5:",
      "    bedrock: us.anthropic.claude-opus-5-5",
      "    price: { input: 4, output: 20 }",
      "defaults:",
      "  models: [claude-opus-5-5]",
      "  budgets: { daily_usd: 5 }",
    ].join("\n"),
  });
  // The first turn spends $4 of $5: the next (up to 128,000 output tokens, $2.56) cannot fit.
  stack.emulator.enqueue(toolUseAnswer(ECHO, { usage: { output_tokens: 200_000 } }));
  const run = await runClaudeCode(
    "Run echo hi",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: `echo ${stack.token}` }),
    { extraArgs: ["--allowedTools", "Bash"] },
  );
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertStringIncludes(run.stdout, "API Error: 400 Budget of $5.00 per day (UTC) per user");
  assertStringIncludes(run.stdout, "CLAUDE_CODE_MAX_OUTPUT_TOKENS");
  assertEquals(stack.emulator.requests.length, 1);
  // 400 ServiceQuotaExceededException, which is not retried; Claude Code resends the turn a few
  // times itself (other tool lists, its system reminder as a message) before it gives up.
  const refused = stack.logs.filter((r) => r.msg === "bedrock_invoke_stream" && r.status === 400);
  assert(refused.length >= 1 && refused.length <= 8, `${refused.length} refused`);
  assert(refused.every((r) => r.error_type === "budget_exceeded"));
});

Deno.test("Claude Code in Bedrock mode: a subagent on haiku takes the gateway's haiku, and the ledger's cost is Claude Code's", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  stack.emulator.enqueue(subagentOnHaiku());
  const run = await runClaudeCode(
    "Delegate a look around",
    claudeCodeBedrockSettings({
      gatewayUrl: stack.url,
      apiKeyHelper: `echo ${stack.token}`,
      aliasModels: { haiku: "us.anthropic.claude-haiku-5-5" },
    }),
    { extraArgs: ["--allowedTools", "Agent", "--output-format", "json"] },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout);
  assertEquals(result.subagent_stats.completed, 1);
  assertEquals(stack.emulator.requests.map((r) => r.modelId), [
    "us.anthropic.claude-opus-5-5",
    "us.anthropic.claude-haiku-5-5",
    "us.anthropic.claude-opus-5-5",
  ]);
  const entries = await ledgerToday(stack);
  assertEquals(entries.length, 3);
  assertLedgerCostIs(entries, result.total_cost_usd);
});
