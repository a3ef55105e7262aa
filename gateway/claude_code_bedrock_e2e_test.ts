import { textAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { fetchAliasModels } from "../client/cli/fetch_alias_models.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

Deno.test("Claude Code in Bedrock mode completes `claude -p` through the gateway's Bedrock-native routes", async () => {
  await using stack = await startGatewayStack();
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer(["Bedrock ", "mode ", "works."]));
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Bedrock mode works.");

  const upstream = stack.emulator.requests.filter((r) => r.operation !== null);
  assert(upstream.length >= 1, "Claude Code's request reached Bedrock");
  const sent = upstream[0]!;
  assertEquals(sent.operation, "InvokeModelWithResponseStream");
  assert(sent.signed, "the gateway re-signed the call with SigV4");
  const body = sent.json as Record<string, unknown>;
  assertEquals(body.anthropic_version, "bedrock-2023-05-31");
  // Claude Code's default model, Opus 5.5, is of the adaptive family, which takes no beta but
  // tool search: the others in Claude Code's body (interleaved thinking, thinking token count)
  // are dropped by the compatibility table.
  assertEquals(sent.modelId, "us.anthropic.claude-opus-5-5");
  assertEquals(body.anthropic_beta, ["tool-search-tool-2025-10-19"]);
  assertEquals(
    (body.metadata as { user_id: string }).user_id,
    "00000000-0000-0000-0000-00000000a11c",
  );
  const record = stack.logs.find((r) => r.msg === "bedrock_invoke_stream");
  assertEquals(record?.outcome, "completed");
  assertEquals(record?.stream, true);
});

Deno.test("Claude Code in Bedrock mode, behind a gateway whose inference profiles are the EU ones, invokes its default model's EU profile", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "eu" } });
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer(["Bonjour."]));
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  // Claude Code picks its model among the profiles the gateway lists; a model missing from the
  // gateway's table is invoked through Claude Code's built-in US profile instead.
  const invoked = stack.emulator.requests.filter((r) => r.operation !== null).map((r) => r.modelId);
  assertEquals(invoked, ["eu.anthropic.claude-opus-5-5"]);
});

Deno.test("Claude Code in Bedrock mode stops at once on a model the policy does not allow it", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  await using helper = await tokenFileHelper(stack.token);
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--model", "fable"] },
  );
  assert(run.code !== 0, "claude failed");
  const asked = stack.logs.filter((r) => r.msg === "bedrock_invoke_stream");
  assert(asked.length <= 2, `${asked.length} requests`);
  assertEquals(stack.emulator.requests.filter((r) => r.operation !== null).length, 0);
});

Deno.test("Claude Code in Bedrock mode, with the alias models the gateway publishes, takes Sonnet 5.5 and Haiku 5.5 for `sonnet` and `haiku` under the example policy", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  await using helper = await tokenFileHelper(stack.token);
  // What `ccgate install --mode bedrock` asks the gateway, with the user's token.
  const found = await fetchAliasModels(stack.url, stack.token, fetch);
  assert(found.ok, found.ok ? "" : found.reason);
  const settings = claudeCodeBedrockSettings({
    gatewayUrl: stack.url,
    apiKeyHelper: helper.command,
    aliasModels: found.models,
  });
  for (
    const [alias, profile] of [
      ["sonnet", "us.anthropic.claude-sonnet-5-5"],
      ["haiku", "us.anthropic.claude-haiku-5-5"],
    ] as const
  ) {
    const before = stack.emulator.requests.length;
    stack.emulator.enqueue(textAnswer([`${alias} answers.`]));
    const run = await runClaudeCode("Say hello", settings, { extraArgs: ["--model", alias] });
    assertEquals(run.code, 0, `claude --model ${alias} exited ${run.code}: ${run.stderr}`);
    assertStringIncludes(run.stdout, `${alias} answers.`);
    // Claude Code's own Bedrock default for the alias is the 4.5 profile.
    const invoked = stack.emulator.requests.slice(before).filter((r) => r.operation !== null)
      .map((r) => r.modelId);
    assertEquals(invoked, [profile], `--model ${alias}`);
  }
});
