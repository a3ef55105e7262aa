/**
 * The real Claude Code against a policy that refuses a `max_tokens` above
 * its limit (`max_tokens_mode: refuse`, the default): Claude Code asks for
 * far more (128,000 for Opus 5.5), and the gateway's refusal, worded as
 * Anthropic's API words a `max_tokens` above a model's maximum, makes it send
 * the request again within the limit instead of ending the turn with the
 * error.
 */
import { textAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings, claudeCodeSettings } from "@ccgate/installer";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { runClaudeCode } from "../../testing/claude_code.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import { tokenFileHelper } from "../../testing/token_file_helper.ts";

const EXAMPLE = await Deno.readTextFile(
  new URL("../../docs/policy.example.yaml", import.meta.url),
);
/** The shipped example with a `max_tokens` limit of 8,000 that refuses, not caps. */
const REFUSING = EXAMPLE.replace("max_tokens: 32000", "max_tokens: 8000")
  .replace("max_tokens_mode: cap", "max_tokens_mode: refuse");

for (const mode of ["anthropic", "bedrock"] as const) {
  Deno.test(`Claude Code (${mode} mode) answers under a policy refusing its max_tokens: it resends within the limit`, async () => {
    if (!REFUSING.includes("max_tokens: 8000") || !REFUSING.includes("mode: refuse")) {
      throw new Error("docs/policy.example.yaml no longer has the keys this test edits");
    }
    await using stack = await startGatewayStack({ policyYaml: REFUSING });
    await using helper = await tokenFileHelper(stack.token);
    stack.emulator.enqueue(textAnswer(["Within ", "the limit."]));
    const settings = mode === "anthropic"
      ? claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command })
      : claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command });
    const run = await runClaudeCode("Say hello", settings);
    assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout} ${run.stderr}`);
    assertStringIncludes(run.stdout, "Within the limit.");
    // One refusal of Claude Code's own max_tokens, then the request within the limit.
    const records = stack.logs.filter((r) =>
      r.msg === "messages" || r.msg === "bedrock_invoke_stream" || r.msg === "bedrock_invoke"
    );
    assertEquals(records.map((r) => [r.status, r.error_type]), [
      [400, "max_tokens_over_limit"],
      [200, undefined],
    ]);
    const sent = stack.emulator.requests.map((r) => (r.json as { max_tokens: number }).max_tokens);
    assertEquals(sent, [8000]);
  });
}
