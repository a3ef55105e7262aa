import { textAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

Deno.test("Claude Code's ANTHROPIC_BEDROCK_SERVICE_TIER reaches Bedrock through the gateway and the ledger records the tier", async () => {
  await using stack = await startGatewayStack();
  await using helper = await tokenFileHelper(stack.token);
  stack.emulator.enqueue(textAnswer(["Flex ", "tier."]));
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeBedrockSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { env: { ANTHROPIC_BEDROCK_SERVICE_TIER: "flex" } },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Flex tier.");
  const upstream = stack.emulator.requests.filter((r) => r.operation !== null);
  assert(upstream.length >= 1, "Claude Code's request reached Bedrock");
  for (const sent of upstream) {
    assertEquals(sent.headers["x-amzn-bedrock-service-tier"], "flex");
  }
  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  const models = entries.filter((e) => e.route.startsWith("bedrock_invoke"));
  assert(models.length >= 1);
  assert(models.every((e) => e.serviceTier === "flex"), JSON.stringify(models));
});
