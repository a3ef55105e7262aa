import { claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { HAIKU, TWO_MODEL_CATALOGUE } from "../testing/two_model_catalogue.ts";
import { assertLedgerCostIs, ledgerToday } from "../testing/ledger_today.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

Deno.test("Claude Code with ENABLE_PROMPT_CACHING_1H=1: the ledger costs its 1-hour cache writes as Claude Code does", async () => {
  // Haiku 4.5 at $1 / $5 per million, the policy's default cache rates: $0.10 read, $1.25
  // 5-minute write, $2 1-hour write: Claude Code 2.1.332's own price table for it (haiku_45).
  await using stack = await startGatewayStack({ policyYaml: TWO_MODEL_CATALOGUE });
  await using helper = await tokenFileHelper(stack.token);
  const run = await runClaudeCode(
    "Say hello",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    {
      extraArgs: ["--model", HAIKU, "--output-format", "json"],
      env: { ENABLE_PROMPT_CACHING_1H: "1" },
    },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { total_cost_usd: number };

  const sent = stack.emulator.requests.filter((r) => r.operation !== null);
  assert(sent.length >= 1);
  assert(sent.some((r) => r.bodyText.includes('"ttl":"1h"')), "Claude Code asked for 1 hour");
  const entries = await ledgerToday(stack);
  assertEquals(entries.length, sent.length);
  assert(entries.every((e) => (e.cacheWrite1hTokens ?? 0) > 0), "1-hour writes recorded");
  assertLedgerCostIs(entries, result.total_cost_usd);
});
