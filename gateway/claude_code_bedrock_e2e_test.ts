import { textAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";

Deno.test("Claude Code in Bedrock mode completes `claude -p` through the gateway's Bedrock-native routes", async () => {
  await using stack = await startGatewayStack();
  const dir = await Deno.makeTempDir({ prefix: "ccgate-helper-" });
  try {
    await Deno.writeTextFile(`${dir}/token`, stack.token);
    stack.emulator.enqueue(textAnswer(["Bedrock ", "mode ", "works."]));
    const run = await runClaudeCode(
      "Say hello",
      claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: `cat ${dir}/token` }),
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
    // Claude Code's default model, Opus 5.5, is of the adaptive family, which takes no beta: the
    // betas in Claude Code's body (interleaved thinking, tool search, thinking token count) are
    // dropped by the compatibility table.
    assertEquals(sent.modelId, "us.anthropic.claude-opus-5-5");
    assertEquals(body.anthropic_beta, undefined);
    assertEquals(
      (body.metadata as { user_id: string }).user_id,
      "00000000-0000-0000-0000-00000000a11c",
    );
    const record = stack.logs.find((r) => r.msg === "bedrock_invoke_stream");
    assertEquals(record?.outcome, "completed");
    assertEquals(record?.stream, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Claude Code in Bedrock mode, behind a gateway whose inference profiles are the EU ones, invokes its default model's EU profile", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "eu" } });
  const dir = await Deno.makeTempDir({ prefix: "ccgate-helper-" });
  try {
    await Deno.writeTextFile(`${dir}/token`, stack.token);
    stack.emulator.enqueue(textAnswer(["Bonjour."]));
    const run = await runClaudeCode(
      "Say hello",
      claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: `cat ${dir}/token` }),
    );
    assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
    // Claude Code picks its model among the profiles the gateway lists; a model missing from the
    // gateway's table is invoked through Claude Code's built-in US profile instead.
    const invoked = stack.emulator.requests.filter((r) => r.operation !== null).map((r) =>
      r.modelId
    );
    assertEquals(invoked, ["eu.anthropic.claude-opus-5-5"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Claude Code in Bedrock mode stops at once on a model the policy does not allow it", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  const dir = await Deno.makeTempDir({ prefix: "ccgate-helper-" });
  try {
    await Deno.writeTextFile(`${dir}/token`, stack.token);
    const run = await runClaudeCode(
      "Say hello",
      claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: `cat ${dir}/token` }),
      { extraArgs: ["--model", "fable"] },
    );
    assert(run.code !== 0, "claude failed");
    const asked = stack.logs.filter((r) => r.msg === "bedrock_invoke_stream");
    assert(asked.length <= 2, `${asked.length} requests`);
    assertEquals(stack.emulator.requests.filter((r) => r.operation !== null).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
